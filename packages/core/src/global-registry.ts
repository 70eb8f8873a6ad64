/**
 * Process-wide state shared by every copy of Vigil loaded in the process (ESM and CJS builds, or two versions):
 * it lives on globalThis under a registered symbol, never in a module-level variable.
 */
const kRegistry = Symbol.for('vigil.registry');

type Registry = Map<string, unknown>;

function registry(): Registry {
  const holder = globalThis as { [kRegistry]?: Registry };
  holder[kRegistry] ??= new Map();
  return holder[kRegistry];
}

export function getGlobal<T>(key: string): T | undefined {
  return registry().get(key) as T | undefined;
}

export function setGlobal<T>(key: string, value: T): void {
  registry().set(key, value);
}

export function deleteGlobal(key: string): void {
  registry().delete(key);
}
