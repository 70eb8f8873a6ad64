import { describe, expect, it } from 'vitest';
import { ErrorCodes, fields, resolveConfig, type ConfigSpec } from '@vigil/core';

interface Config {
  port: number;
  host: string;
  mode: 'otel' | 'prom-client';
  window: number;
  budget: number;
  profiling: boolean;
}

const spec: ConfigSpec<Config> = {
  port: fields.port({ env: 'X_PORT', default: 9464 }),
  host: fields.host({ env: 'X_HOST', default: '0.0.0.0' }),
  mode: fields.oneOf(['otel', 'prom-client'] as const, { env: 'X_NAMES', default: 'otel' }),
  window: fields.duration({ env: 'X_WINDOW', default: 60_000, min: 1_000 }),
  budget: fields.bytes({ env: 'X_BUDGET', default: 1024 }),
  profiling: fields.boolean({ env: 'X_PROFILING', default: true }),
};

describe('resolveConfig: defaults < environment < code', () => {
  it.each<[string, Record<string, string>, Record<string, unknown>, Partial<Config>]>([
    ['defaults alone', {}, {}, { port: 9464, host: '0.0.0.0', mode: 'otel', window: 60_000, profiling: true }],
    [
      'environment over defaults',
      { X_PORT: '9999', X_NAMES: 'prom-client', X_PROFILING: 'off' },
      {},
      { port: 9999, mode: 'prom-client', profiling: false },
    ],
    [
      'code over environment',
      { X_PORT: '9999', X_WINDOW: '5s' },
      { port: 1234, window: '2m' },
      { port: 1234, window: 120_000 },
    ],
    ['blank environment is ignored', { X_PORT: '  ' }, {}, { port: 9464 }],
    ['sizes with units', { X_BUDGET: '20MiB' }, {}, { budget: 20 * 1024 ** 2 }],
    ['undefined in code keeps the environment', { X_HOST: '127.0.0.1' }, { host: undefined }, { host: '127.0.0.1' }],
  ])('%s', (_name, env, options, expected) => {
    const config = resolveConfig(spec, { env, options });
    expect(config).toMatchObject(expected);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each<[string, Record<string, string>, Record<string, unknown>, RegExp]>([
    ['bad port in env', { X_PORT: 'http' }, {}, /^X_PORT: "http" is not valid; expected a TCP port number/],
    ['port out of range', {}, { port: 70000 }, /^options\.port: 70000 is not valid/],
    ['bad duration', { X_WINDOW: 'soon' }, {}, /^X_WINDOW: "soon" is not valid; expected a number of milliseconds/],
    [
      'duration under minimum',
      {},
      { window: '10ms' },
      /^options\.window: "10ms" is not valid; expected a duration of at least 1000ms/,
    ],
    ['bad enum', { X_NAMES: 'statsd' }, {}, /^X_NAMES: "statsd" is not valid; expected one of "otel", "prom-client"/],
    ['bad boolean', {}, { profiling: 'maybe' }, /^options\.profiling: "maybe" is not valid; expected true\/false/],
    ['unknown key with a near miss', {}, { prot: 1 }, /^options\.prot: unknown option; did you mean "port"\?/],
    ['unknown key far from any', {}, { colour: 'red' }, /^options\.colour: unknown option; known options: port, host/],
  ])('%s is rejected naming the field', (_name, env, options, message) => {
    expect(() => resolveConfig(spec, { env, options })).toThrow(message);
  });

  it('reports the code of the error', () => {
    try {
      resolveConfig(spec, { options: { nope: 1 } });
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe(ErrorCodes.CONFIG_UNKNOWN_OPTION);
    }
  });
});
