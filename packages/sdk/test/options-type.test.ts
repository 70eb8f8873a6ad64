import { describe, expectTypeOf, it } from 'vitest';
import type { VigilOptions } from '../src/types.ts';

/**
 * VigilOptions is derived from the spec (OptionsOf) plus its object members: each setting takes what its parser
 * accepts. `pnpm typecheck` checks these lines; a derivation that lost a field or widened it to never fails there.
 */
describe('VigilOptions, derived from configSpec', () => {
  it('types each setting by what its parser accepts', () => {
    expectTypeOf<VigilOptions['metricsPort']>().toEqualTypeOf<number | string | undefined>();
    expectTypeOf<VigilOptions['flightRecorder']>().toEqualTypeOf<number | string | undefined>();
    expectTypeOf<VigilOptions['profiling']>().toEqualTypeOf<boolean | string | undefined>();
    expectTypeOf<VigilOptions['metricNames']>().toEqualTypeOf<'otel' | 'prom-client' | undefined>();
    expectTypeOf<VigilOptions['spanLabels']>().toEqualTypeOf<'auto' | 'cped' | 'async-hooks' | 'off' | undefined>();
    expectTypeOf<VigilOptions['debugAddr']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<VigilOptions['continuous']>().toEqualTypeOf<string | number | boolean | undefined>();
  });

  it('refuses what no parser takes', () => {
    // @ts-expect-error: not a metric naming mode
    const names: VigilOptions = { metricNames: 'statsd' };
    // @ts-expect-error: not an option at all
    const unknown: VigilOptions = { metricPort: 9464 };
    expectTypeOf(names).toEqualTypeOf<VigilOptions>();
    expectTypeOf(unknown).toEqualTypeOf<VigilOptions>();
  });
});
