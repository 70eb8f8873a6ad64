/**
 * Lookup by trace id over a store holding 10,000 captures (issue #4 target: < 50 ms).
 * `node --conditions=source bench/store-lookup.ts [--captures N]`
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { captureId } from '@vigil/core';
import { FileStore } from '@vigil/store';

const { values } = parseArgs({ options: { captures: { type: 'string', default: '10000' }, lookups: { type: 'string', default: '200' } } });
const total = Number(values.captures);
const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-store-'));
const writer = new FileStore(dir, { maxCount: total * 2 });
const traces: string[] = [];
const start = Date.now() - total * 1_000;
const fill = performance.now();
for (let i = 0; i < total; i += 100) {
  await Promise.all(
    Array.from({ length: Math.min(100, total - i) }, (_, k) => {
      const at = new Date(start + (i + k) * 1_000);
      const refs = Array.from({ length: 3 }, () => ({ traceId: randomBytes(16).toString('hex'), spanIds: [randomBytes(8).toString('hex')] }));
      if ((i + k) % 50 === 0) traces.push(refs[0]!.traceId);
      const iso = at.toISOString();
      return writer.put(
        { id: captureId(at), type: 'cpu', service: 'bench', host: 'h', pid: 1, startedAt: iso, endedAt: iso, reason: { kind: 'manual' }, samples: 10, format: 'pprof' },
        randomBytes(512),
        refs,
      );
    }),
  );
}
const fillSeconds = (performance.now() - fill) / 1e3;

async function measure(label: string, store: () => FileStore): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < Number(values.lookups); i++) {
    const traceId = traces[i % traces.length]!;
    const s = store();
    const t = performance.now();
    const found = await s.list({ traceId });
    times.push(performance.now() - t);
    if (found.length !== 1) throw new Error(`${label}: expected 1 capture for ${traceId}, found ${found.length}`);
  }
  return times.sort((a, b) => a - b);
}

const shared = new FileStore(dir);
const warm = await measure('warm', () => shared);
const cold = await measure('cold', () => new FileStore(dir)); // a new store object per lookup, as the CLI does
const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!.toFixed(2);
console.log(`store with ${total} captures (filled in ${fillSeconds.toFixed(1)} s), ${values.lookups} lookups by trace id:`);
console.log(`  warm store object: median ${q(warm, 0.5)} ms, p99 ${q(warm, 0.99)} ms, max ${q(warm, 1)} ms`);
console.log(`  fresh store object: median ${q(cold, 0.5)} ms, p99 ${q(cold, 0.99)} ms, max ${q(cold, 1)} ms`);
console.log(`  target < 50 ms: ${Number(q(cold, 0.99)) < 50 ? 'PASS' : 'MISS'} (p99, fresh object)`);
rmSync(dir, { recursive: true, force: true });
