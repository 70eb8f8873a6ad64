#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CAPTURE_ID_PATTERN } from '@vigil/core';
import { CliError } from './cli-error.ts';
import { capturesCommand } from './commands/captures.ts';
import { doctorCommand } from './commands/doctor.ts';
import { getCommand } from './commands/get.ts';
import { profileCommand } from './commands/profile.ts';
import { topCommand } from './commands/top.ts';
import { diffCommand } from './commands/diff.ts';
import { flameCommand } from './commands/flame.ts';
import { topRangeCommand } from './commands/top-range.ts';
import { parseTimeFlag } from './time-range.ts';
import { REASON_KINDS, type CaptureFilter, type CaptureReason, type CaptureType } from '@vigil/store';
import { rulesExportCommand } from './commands/rules-export.ts';
import { storeSource, urlSource, type CaptureSource } from './source.ts';

const USAGE = `usage: vigil <command> [options]

  captures [--trace ID] [--type T] [--rule R] [--reason K] [FILTERS] [--json]
                                                          list captures, newest first
  get ID [--trace ID] [-o FILE]                           save a capture (only one trace's samples with --trace)
  top FILE|ID [--trace ID] [--sample-index T] [-n N]      a top table, like go tool pprof -top (and what changed)
  top --since 10m [FILTERS] [--type cpu|heap] [--trace ID]
                                                          the matching captures of every instance, merged
  flame FILE|ID [-o out.html] [--trace ID]                 a flame graph page, as one offline file
  diff BASE NEW [--normalize] [--sample-index T] [-n N] [-o diff.html]
                                                          the functions whose share changed most; -o: a
                                                          differential flame graph
  profile --seconds N [--lookback M] [-o FILE]            take a CPU profile of a live process
  doctor --store URL [--json]                             list the store's corrupt, orphan and foreign files
  rules export --format prometheus [--names otel|prom-client] [--rules FILE] [--no-defaults]
                                                          the rules as Prometheus alerting rules

filters: --service S --host H --pid P --since T --until T (T: 10m, 1h, 7d ago, or an ISO time)
sources: --url URL (a live process; default http://127.0.0.1:6060, or VIGIL_URL; --token or VIGIL_DEBUG_TOKEN) or
         --store file://DIR or --store s3://BUCKET/PREFIX (the standard AWS chain; VIGIL_S3_FORCE_PATH_STYLE=true for
         MinIO, Ceph, s3rver); top, flame and diff read a FILE argument as a file
`;

const OPTIONS = {
  url: { type: 'string' },
  store: { type: 'string' },
  token: { type: 'string' },
  trace: { type: 'string' },
  type: { type: 'string' },
  rule: { type: 'string' },
  reason: { type: 'string' },
  service: { type: 'string' },
  host: { type: 'string' },
  pid: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
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
  normalize: { type: 'boolean', default: false },
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
  if (values.trace !== undefined && !/^[0-9a-f]{32}$/.test(values.trace))
    throw new CliError('--trace must be a trace id: 32 lowercase hex characters', 2);
  const token = values.token ?? process.env.VIGIL_DEBUG_TOKEN;
  const url = values.url ?? process.env.VIGIL_URL;
  const source = (): CaptureSource | undefined =>
    values.store !== undefined ? storeSource(values.store) : url !== undefined ? urlSource(url, token) : undefined;
  const requireSource = (): CaptureSource => source() ?? urlSource('http://127.0.0.1:6060', token);
  // A capture id reads from the default source, like `captures` and `get`; anything else is a file name.
  const sourceFor = (...targets: string[]): CaptureSource | undefined =>
    source() ?? (targets.some((t) => CAPTURE_ID_PATTERN.test(t)) ? requireSource() : undefined);
  const positiveNumber = (name: string, raw: string | undefined, fallback?: number): number | undefined => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || n <= 0) throw new CliError(`--${name} must be a positive number`, 2);
    return n;
  };

  const filter = (): CaptureFilter => {
    const types = ['cpu', 'heap', 'handles', 'heapsnapshot'];
    if (values.type !== undefined && !types.includes(values.type))
      throw new CliError(`--type must be one of ${types.join(', ')}`, 2);
    if (values.reason !== undefined && !(REASON_KINDS as readonly string[]).includes(values.reason))
      throw new CliError(`--reason must be one of ${REASON_KINDS.join(', ')}`, 2);
    if (values.pid !== undefined && !/^\d+$/.test(values.pid)) throw new CliError('--pid must be a process id', 2);
    return {
      traceId: values.trace,
      type: values.type as CaptureType | undefined,
      rule: values.rule,
      reason: values.reason as CaptureReason['kind'] | undefined,
      service: values.service,
      host: values.host,
      pid: values.pid === undefined ? undefined : Number(values.pid),
      since: parseTimeFlag('since', values.since),
      until: parseTimeFlag('until', values.until),
    };
  };

  switch (command) {
    case 'captures':
      return capturesCommand(requireSource(), filter(), { json: values.json });
    case 'get':
      if (rest[0] === undefined) throw new CliError(`get needs a capture id\n${USAGE}`, 2);
      return getCommand(requireSource(), rest[0], { trace: values.trace, output: values.output });
    case 'top':
      if (rest[0] === undefined && values.since !== undefined) {
        return topRangeCommand(requireSource(), filter(), {
          sampleIndex: values['sample-index'],
          count: positiveNumber('count', values.count),
        });
      }
      if (rest[0] === undefined) throw new CliError(`top needs a file, a capture id, or --since\n${USAGE}`, 2);
      return topCommand(sourceFor(rest[0]), rest[0], {
        trace: values.trace,
        sampleIndex: values['sample-index'],
        count: positiveNumber('count', values.count),
      });
    case 'flame':
      if (rest[0] === undefined) throw new CliError(`flame needs a file or a capture id\n${USAGE}`, 2);
      return flameCommand(sourceFor(rest[0]), rest[0], {
        trace: values.trace,
        output: values.output,
        url: values.store === undefined ? url : undefined,
      });
    case 'diff':
      if (rest[1] === undefined)
        throw new CliError(`diff needs two profiles: BASE NEW (files or capture ids)\n${USAGE}`, 2);
      return diffCommand(sourceFor(rest[0]!, rest[1]), rest[0]!, rest[1], {
        trace: values.trace,
        sampleIndex: values['sample-index'],
        normalize: values.normalize,
        count: positiveNumber('count', values.count),
        output: values.output,
      });
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
      return rulesExportCommand({
        format: values.format,
        names: values.names ?? process.env.VIGIL_METRIC_NAMES,
        rulesFile: values.rules ?? process.env.VIGIL_RULES,
        defaults: !values['no-defaults'],
      });
    default:
      throw new CliError(`unknown command "${command}"\n${USAGE}`, 2);
  }
}

/**
 * True when this file is the process's script. An installed bin is a symlink named after the command
 * (`node_modules/.bin/vigil`), so compare real paths, not file names.
 */
function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
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
