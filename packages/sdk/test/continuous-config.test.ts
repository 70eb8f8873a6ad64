import { describe, expect, it } from 'vitest';
import { ErrorCodes, VigilError, start } from '@vigil/sdk';
import { resolveSdkConfig } from '../src/config.ts';

describe('VIGIL_CONTINUOUS', () => {
  it.each<[string | undefined, number | undefined]>([
    [undefined, undefined],
    ['off', undefined],
    ['on', 60_000],
    ['60s', 60_000],
    ['5m', 300_000],
    ['1s', 1_000],
  ])('%s resolves to a period of %s ms', (raw, period) => {
    expect(resolveSdkConfig({}, { VIGIL_CONTINUOUS: raw }).continuous).toBe(period);
  });

  it('takes the period in code too, where it wins over the environment', () => {
    expect(resolveSdkConfig({ continuous: '30s' }, { VIGIL_CONTINUOUS: 'off' }).continuous).toBe(30_000);
    expect(resolveSdkConfig({ continuous: false }, { VIGIL_CONTINUOUS: '30s' }).continuous).toBeUndefined();
  });

  it.each(['500ms', '0', 'sometimes'])('refuses %s, naming the variable and what it takes', (raw) => {
    const error = (() => {
      try {
        resolveSdkConfig({}, { VIGIL_CONTINUOUS: raw });
      } catch (e) {
        return e;
      }
    })() as VigilError;
    expect(error).toBeInstanceOf(VigilError);
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID_VALUE);
    expect(error.message).toBe(
      `VIGIL_CONTINUOUS: "${raw}" is not valid; expected "off", "on" (every 60s) or a period of at least 1s such as "60s"`,
    );
  });

  it('with profiling off, start() rejects, naming both settings and the fix', async () => {
    const saved = { profiling: process.env.VIGIL_PROFILING, continuous: process.env.VIGIL_CONTINUOUS };
    process.env.VIGIL_PROFILING = 'off';
    process.env.VIGIL_CONTINUOUS = '60s';
    try {
      const error = (await start({ metricsHost: '127.0.0.1', metricsPort: 0, debugAddr: 'off' }).catch(
        (e: unknown) => e,
      )) as VigilError;
      expect(error).toBeInstanceOf(VigilError);
      expect(error.code).toBe(ErrorCodes.CONFIG_INVALID_VALUE);
      expect(error.field).toBe('VIGIL_CONTINUOUS');
      expect(error.message).toBe(
        'VIGIL_CONTINUOUS: continuous profiles are cut from the flight recorder, which VIGIL_PROFILING turns off; set VIGIL_PROFILING=on, or VIGIL_CONTINUOUS=off',
      );
    } finally {
      for (const [key, value] of [
        ['VIGIL_PROFILING', saved.profiling],
        ['VIGIL_CONTINUOUS', saved.continuous],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('in code, the error names the option', () => {
    expect(() => resolveSdkConfig({ profiling: false, continuous: 'on' }, {})).toThrow(
      'options.continuous: continuous profiles are cut from the flight recorder, which options.profiling turns off; set VIGIL_PROFILING=on, or options.continuous=off',
    );
  });
});
