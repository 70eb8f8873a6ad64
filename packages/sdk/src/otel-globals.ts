/**
 * What is registered in `@opentelemetry/api`'s process-wide registry, read without registering anything: every copy of
 * the API (major 1) shares this object on `globalThis`, and a `setGlobal*()` call on an occupied slot prints an
 * "Attempted duplicate registration" error — so Vigil looks first and registers only into empty slots.
 */
const API_REGISTRY = Symbol.for('opentelemetry.js.api.1');

export type GlobalSlot = 'context' | 'trace' | 'propagation' | 'metrics';

export function registeredGlobal(slot: GlobalSlot): unknown {
  return (globalThis as Record<symbol, Partial<Record<GlobalSlot, unknown>> | undefined>)[API_REGISTRY]?.[slot];
}
