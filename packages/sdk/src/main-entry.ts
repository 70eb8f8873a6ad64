// A namespace import: `registerHooks` is missing on the old runtimes where start() only logs that it cannot run.
import * as nodeModule from 'node:module';

/**
 * Resolves when the application's entry module starts to load — after every `--import` / `--require` preload has run.
 * `--import @vigil/sdk/register` waits for it before choosing between its own NodeSDK and the app's, so that an SDK
 * the app starts in a later preload (`--import ./otel.js`) registers first and Vigil composes with it whatever the
 * order of the flags. Without an entry module (`-e`, a REPL), or should the hook not fire, it resolves soon anyway.
 */
export function mainEntryLoading(fallbackMillis = 1_000): Promise<void> {
  const { registerHooks } = nodeModule;
  if (process.argv[1] === undefined || typeof registerHooks !== 'function') return Promise.resolve();
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      hooks.deregister();
      resolve();
    };
    const hooks = registerHooks({
      resolve(specifier, context, next) {
        // The entry module is the one resolution with no parent; preloads resolve against the working directory.
        if (context.parentURL === undefined) queueMicrotask(finish);
        return next(specifier, context);
      },
    });
    const timer = setTimeout(finish, fallbackMillis);
    timer.unref();
  });
}
