#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { CliError } from './cli-error.ts';
import { capturesCommand } from './commands/captures.ts';
import { doctorCommand } from './commands/doctor.ts';
import { getCommand } from './commands/get.ts';
import { profileCommand } from './commands/profile.ts';
import { topCommand } from './commands/top.ts';
import { rulesExportCommand } from './commands/rules-export.ts';
import { storeSource, urlSource, type CaptureSource } from './source.ts';

const USAGE = `usage: vigil <command> [options]

  captures [--trace ID] [--type T] [--rule R] [--json]   list captures, newest first
  get ID [--trace ID] [-o FILE]                           save a capture (only one trace's samples with --trace)
  top FILE|ID [--trace ID] [--sample-index T] [-n N]      a top table, like go tool pprof -top
  profile --seconds N [--lookback M] [-o FILE]            take a CPU profile of a live process
  doctor --store URL [--json]                             list the store's corrupt, orphan and foreign files
  rules export --format prometheus [--names otel|prom-client] [--rules FILE] [--no-defaults]
                                                          the rules as Prometheus alerting rules

sources: --url http://127.0.0.1:6060 (a live process; --token or VIGIL_DEBUG_TOKEN) or --store file://DIR
`;

const OPTIONS = {
  url: { type: 'string' },
  store: { type: 'string' },
  token: { type: 'string' },
  trace: { type: 'string' },
  type: { type: 'string' },
  rule: { type: 'string' },
  json: { type: 'boolean', default: false },
  output: { type: 'string', short: 'o' },
  'sample-index': { type: 'string' },
  count: { type: 'string', short: 'n' },
  seconds: { type: 'string' },
  lookback: { type: 'string' },
  format: { type: 'string' },
  names: { type: 'string' },
  rules: { type: 'string' },
  'no-defaults': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export async function main(argv: string[]): Promise<string> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) return USAGE;
  if (values.trace !== undefined && !/^[0-9a-f]{32}$/.test(values.trace)) throw new CliError('--trace must be a trace id: 32 lowercase hex characters', 2);
  const token = values.token ?? process.env.VIGIL_DEBUG_TOKEN;
  const url = values.url ?? process.env.VIGIL_URL;
  const source = (): CaptureSource | undefined =>
    values.store !== undefined ? storeSource(values.store) : url !== undefined ? urlSource(url, token) : undefined;
  const requireSource = (): CaptureSource => source() ?? urlSource('http://127.0.0.1:6060', token);
  const positiveNumber = (name: string, raw: string | undefined, fallback?: number): number | undefined => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || n <= 0) throw new CliError(`--${name} must be a positive number`, 2);
    return n;
  };

  switch (command) {
    case 'captures':
      return capturesCommand(requireSource(), { trace: values.trace, type: values.type, rule: values.rule, json: values.json });
    case 'get':
      if (rest[0] === undefined) throw new CliError(`get needs a capture id\n${USAGE}`, 2);
      return getCommand(requireSource(), rest[0], { trace: values.trace, output: values.output });
    case 'top':
      if (rest[0] === undefined) throw new CliError(`top needs a file or a capture id\n${USAGE}`, 2);
      return topCommand(source(), rest[0], { trace: values.trace, sampleIndex: values['sample-index'], count: positiveNumber('count', values.count) });
    case 'profile':
      return profileCommand(url ?? 'http://127.0.0.1:6060', token, {
        seconds: positiveNumber('seconds', values.seconds, 30)!,
        lookback: positiveNumber('lookback', values.lookback),
        output: values.output,
      });
    case 'doctor': {
      const { output, healthy } = await doctorCommand(values.store, { json: values.json });
      if (!healthy) process.exitCode = 1;
      return output;
    }
    case 'rules':
      if (rest[0] !== 'export') throw new CliError(`rules needs a subcommand: export\n${USAGE}`, 2);
      return rulesExportCommand({ format: values.format, names: values.names ?? process.env.VIGIL_METRIC_NAMES, rulesFile: values.rules ?? process.env.VIGIL_RULES, defaults: !values['no-defaults'] });
    default:
      throw new CliError(`unknown command "${command}"\n${USAGE}`, 2);
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (output) => process.stdout.write(output),
    (error: unknown) => {
      if (error instanceof CliError) {
        process.stderr.write(`vigil: ${error.message.trimEnd()}\n`);
        process.exitCode = error.exitCode;
      } else {
        process.stderr.write(`vigil: ${error instanceof Error ? error.stack : String(error)}\n`);
        process.exitCode = 1;
      }
    },
  );
}
