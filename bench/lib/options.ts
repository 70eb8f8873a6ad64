// Command-line options, parsed once (the runner's parts read them from here).
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Variant } from './types.ts';
import { ALL_VARIANTS, BASELINE, BENCH_DIR, DEFAULT_VARIANTS } from './variants.ts';

export const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    scrapes: { type: 'string', default: '20' },
    disturbed: { type: 'string', default: '0.15' },
    connections: { type: 'string', default: '32' },
    threads: { type: 'string', default: '2' },
    path: { type: 'string', default: '/pad?len=1000' },
    'long-seconds': { type: 'string', default: '0' },
    'long-rounds': { type: 'string', default: '1' },
    'long-variants': { type: 'string' },
    variants: { type: 'string', default: DEFAULT_VARIANTS.join(',') },
    out: { type: 'string', default: join(BENCH_DIR, 'results/latest.json') },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(
    'usage: pnpm bench [--rounds N] [--seconds S] [--warmup S] [--scrapes N] [--connections N] [--threads N]\n' +
      '                  [--disturbed CORES] [--long-seconds S] [--long-rounds N] [--long-variants a,b,...]\n' +
      `                  [--path /pad?len=1000] [--variants ${ALL_VARIANTS.map((v) => v.name).join(',')}] [--out FILE]`,
  );
  process.exit(0);
}
const positive = (name: string, raw: string | undefined, integer: boolean): number => {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    console.error(`--${name}: expected a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
};
export const options = {
  rounds: positive('rounds', args.rounds, true),
  seconds: positive('seconds', args.seconds, true),
  warmup: positive('warmup', args.warmup, true),
  scrapes: positive('scrapes', args.scrapes, true),
  /** A run is disturbed when other processes used more than this many cores (or the hypervisor stole as much). */
  disturbed: positive('disturbed', args.disturbed, false),
  connections: positive('connections', args.connections, true),
  threads: positive('threads', args.threads, true),
  path: args.path ?? '/pad?len=1000',
  /**
   * After the rounds, runs of S seconds of load (0: none), so that the flight recorder fills to its default reach
   * (60 s) before its size and the RSS are read: a normal run holds only a window or two.
   */
  longSeconds: args['long-seconds'] === '0' ? 0 : positive('long-seconds', args['long-seconds'], true),
  longRounds: positive('long-rounds', args['long-rounds'], true),
};
function variantList(option: string, list: string): Variant[] {
  const named = list.split(',').map((name) => {
    const variant = ALL_VARIANTS.find((v) => v.name === name.trim());
    if (variant === undefined) {
      console.error(
        `--${option}: unknown variant ${JSON.stringify(name)}; known: ${ALL_VARIANTS.map((v) => v.name).join(', ')}`,
      );
      process.exit(2);
    }
    return variant;
  });
  if (named[0]?.name !== BASELINE) {
    console.error(`--${option}: the first variant must be ${BASELINE}: every figure is a ratio to it`);
    process.exit(2);
  }
  return named;
}
export const variants = variantList('variants', args.variants ?? '');
/** The variants of the long phase: all of them unless `--long-variants` names fewer (a long run is minutes each). */
export const longVariants =
  args['long-variants'] === undefined ? variants : variantList('long-variants', args['long-variants']);
