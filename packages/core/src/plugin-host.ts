import { diag as otelDiag, type Counter, type DiagLogger, type MeterProvider } from '@opentelemetry/api';
import { ErrorCodes, VigilError } from './errors.ts';
import type { Capability, PluginContext, PluginState, VigilPlugin } from './plugin.ts';
import pkg from '../package.json' with { type: 'json' };

export interface PluginHostOptions {
  meterProvider: MeterProvider;
  plugins: readonly VigilPlugin[];
}

interface Entry {
  plugin: VigilPlugin;
  state: PluginState;
}

/**
 * Starts plugins in dependency order and stops them in reverse. Checks names and dependencies up front (a config
 * error), then isolates failures at run time: a plugin whose start throws is disabled alone, with its dependents.
 */
export class PluginHost {
  readonly #meterProvider: MeterProvider;
  readonly #entries: Entry[];
  readonly #capabilities = new Map<symbol, { owner: string; value: unknown }>();
  readonly #abort = new AbortController();
  readonly #diag: DiagLogger = otelDiag.createComponentLogger({ namespace: 'vigil/host' });
  readonly #errors: Counter;
  #started: Promise<void> | undefined;
  #stopped: Promise<void> | undefined;

  constructor(options: PluginHostOptions) {
    this.#meterProvider = options.meterProvider;
    this.#entries = orderByDependencies(options.plugins).map((plugin) => ({ plugin, state: 'pending' }));
    this.#errors = this.#meterProvider
      .getMeter(pkg.name, pkg.version)
      .createCounter('vigil.errors', { description: 'Errors raised inside Vigil and swallowed, by component.' });
  }

  /** Plugin names and states, in start order. */
  status(): { name: string; state: PluginState }[] {
    return this.#entries.map((e) => ({ name: e.plugin.name, state: e.state }));
  }

  start(): Promise<void> {
    this.#started ??= this.#startAll();
    return this.#started;
  }

  async #startAll(): Promise<void> {
    const failed = new Set<string>();
    for (const entry of this.#entries) {
      if (this.#abort.signal.aborted) return;
      const { plugin } = entry;
      const brokenDependency = plugin.dependencies?.find((d) => failed.has(d));
      if (brokenDependency !== undefined) {
        entry.state = 'skipped';
        failed.add(plugin.name);
        this.#diag.warn(`${plugin.name} is disabled: its dependency ${brokenDependency} did not start`);
        continue;
      }
      try {
        await plugin.start(this.#context(plugin));
        entry.state = 'running';
      } catch (error) {
        entry.state = 'failed';
        failed.add(plugin.name);
        this.#count(plugin.name);
        this.#diag.error(`${ErrorCodes.PLUGIN_START}: ${plugin.name} failed to start and is disabled`, error);
        await this.#stopOne(entry);
        entry.state = 'failed';
      }
    }
  }

  /** Stops every plugin once, in reverse order; later calls return the same promise. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#abort.abort();
      await this.#started?.catch(() => undefined);
      for (const entry of [...this.#entries].reverse()) {
        if (entry.state === 'running') {
          await this.#stopOne(entry);
          entry.state = 'stopped';
        }
      }
    })();
    return this.#stopped;
  }

  /** Logs and counts an error from a component outside the plugins (e.g. a server the SDK owns). Never throws. */
  reportError(component: string, error: unknown, what?: string): void {
    this.#count(component);
    otelDiag
      .createComponentLogger({ namespace: `vigil/${component}` })
      .error(what === undefined ? 'internal error (swallowed)' : `${what} failed (swallowed)`, error);
  }

  use<T>(capability: Capability<T>): T | undefined {
    return this.#capabilities.get(capability.key)?.value as T | undefined;
  }

  async #stopOne(entry: Entry): Promise<void> {
    try {
      await entry.plugin.stop?.();
    } catch (error) {
      this.#count(entry.plugin.name);
      this.#diag.error(`${entry.plugin.name} failed to stop cleanly`, error);
    }
  }

  #count(component: string): void {
    try {
      this.#errors.add(1, { component });
    } catch {
      // Counting must never be the thing that throws.
    }
  }

  #context(plugin: VigilPlugin): PluginContext {
    const logger = otelDiag.createComponentLogger({ namespace: `vigil/${plugin.name}` });
    const reportError = (error: unknown, what?: string): void => {
      this.#count(plugin.name);
      logger.error(what === undefined ? 'internal error (swallowed)' : `${what} failed (swallowed)`, error);
    };
    return {
      meter: this.#meterProvider.getMeter(plugin.scope ?? plugin.name, plugin.version),
      diag: logger,
      signal: this.#abort.signal,
      provide: (capability, value) => {
        const existing = this.#capabilities.get(capability.key);
        if (existing !== undefined) {
          throw new VigilError(
            ErrorCodes.CAPABILITY_DUPLICATE,
            `${plugin.name} provides capability "${capability.name}", already provided by ${existing.owner}`,
          );
        }
        this.#capabilities.set(capability.key, { owner: plugin.name, value });
      },
      use: (capability) => this.use(capability),
      reportError,
      guard:
        (fn, what) =>
        (...args) => {
          try {
            fn(...args);
          } catch (error) {
            reportError(error, what);
          }
        },
    };
  }
}

/** Topological order (stable: ties keep the given order). Throws on duplicates, missing dependencies and cycles. */
export function orderByDependencies(plugins: readonly VigilPlugin[]): VigilPlugin[] {
  const byName = new Map<string, VigilPlugin>();
  for (const plugin of plugins) {
    if (byName.has(plugin.name)) {
      throw new VigilError(
        ErrorCodes.PLUGIN_DUPLICATE,
        `plugin "${plugin.name}" is registered twice; register it once`,
      );
    }
    byName.set(plugin.name, plugin);
  }
  for (const plugin of plugins) {
    for (const dep of plugin.dependencies ?? []) {
      if (!byName.has(dep)) {
        throw new VigilError(
          ErrorCodes.PLUGIN_DEPENDENCY_MISSING,
          `plugin "${plugin.name}" depends on "${dep}", which is not registered; add the "${dep}" plugin`,
        );
      }
    }
  }
  const ordered: VigilPlugin[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (plugin: VigilPlugin, path: string[]): void => {
    const s = state.get(plugin.name);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(plugin.name)), plugin.name].join(' -> ');
      throw new VigilError(ErrorCodes.PLUGIN_DEPENDENCY_CYCLE, `plugin dependencies form a cycle: ${cycle}`);
    }
    state.set(plugin.name, 'visiting');
    for (const dep of plugin.dependencies ?? []) visit(byName.get(dep)!, [...path, plugin.name]);
    state.set(plugin.name, 'done');
    ordered.push(plugin);
  };
  for (const plugin of plugins) visit(plugin, []);
  return ordered;
}
