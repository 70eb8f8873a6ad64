import { defineCapability, type Capability, type MetricNames, type VigilPlugin } from '@vigil/core';
import { DelayWindow } from './delay-window.ts';
import { collectDelay } from './metrics/delay.ts';
import { collectUtilization } from './metrics/utilization.ts';
import { eventLoopNames } from './semconv.ts';
import pkg from '../package.json' with { type: 'json' };

export { DelayWindow } from './delay-window.ts';
export type { DelayStats, DelayWindowOptions } from './delay-window.ts';
export { DELAY_STATS, eventLoopNames } from './semconv.ts';
export type { EventLoopNames } from './semconv.ts';

export interface EventLoopMetricsOptions {
  names?: MetricNames;
  /** Window the delay statistics and utilization cover, ms. Default 60 s: longer than common scrape intervals. */
  windowMillis?: number;
  /** `monitorEventLoopDelay` resolution, ms. Default 10. */
  resolutionMillis?: number;
}

/** Offered to other plugins (triggers) that need the delay over their own, shorter window. */
export const EventLoopDelayCapability: Capability<DelayWindow> = defineCapability<DelayWindow>('event-loop-delay');

/** The plugin's name, which other plugins list in their dependencies. */
export const EVENT_LOOP_PLUGIN = 'event-loop';

/** The plugin's defaults, declared once (the sdk's VIGIL_EVENT_LOOP_WINDOW default is `windowMillis`). */
export const EVENT_LOOP_DEFAULTS = Object.freeze({ windowMillis: 60_000, resolutionMillis: 10 });

export function eventLoopMetrics(options: EventLoopMetricsOptions = {}): VigilPlugin {
  let window: DelayWindow | undefined;
  return {
    name: EVENT_LOOP_PLUGIN,
    version: pkg.version,
    scope: pkg.name,
    start(ctx) {
      const names = eventLoopNames(options.names ?? 'otel');
      window = new DelayWindow({
        resolutionMillis: options.resolutionMillis ?? EVENT_LOOP_DEFAULTS.resolutionMillis,
        sliceMillis: 1_000,
        maxWindowMillis: options.windowMillis ?? EVENT_LOOP_DEFAULTS.windowMillis,
      });
      window.start((error) => ctx.reportError(error, 'event-loop window rotation'));
      const guard = ctx.guard;
      collectDelay(ctx.meter, names, window, guard);
      collectUtilization(ctx.meter, names, window, guard);
      ctx.provide(EventLoopDelayCapability, window);
    },
    stop() {
      window?.stop();
    },
  };
}
