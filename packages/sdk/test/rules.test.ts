import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes, VigilError, start, type VigilHandle, type VigilOptions } from '@vigil/sdk';

let handle: VigilHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
});

const base: VigilOptions = { metricsHost: '127.0.0.1', metricsPort: 0, debugAddr: '127.0.0.1:0', profiling: false };

async function ruleNames(options: VigilOptions): Promise<string[]> {
  handle = await start({ ...base, ...options });
  const body = (await (await fetch(`${handle.debugUrl}/debug/vigil/triggers`)).json()) as {
    rules: { name: string; above?: string }[];
  };
  return body.rules.map((r) => `${r.name}${r.above ? ` > ${r.above}` : ''}`);
}

describe('rules at start()', () => {
  it('ships the default rules, lets a rule of the same name replace one, and drops them on request', async () => {
    expect(await ruleNames({})).toEqual([
      'event-loop-stall > 200ms',
      'heap-near-limit > 90%',
      'heap-growing > 2MiB/s',
      'handles-growing > 5',
    ]);
    await handle!.shutdown();
    const replaced = await ruleNames({
      rules: [{ name: 'event-loop-stall', metric: 'nodejs.eventloop.delay.max', above: '1s', capture: { cpu: '5s' } }],
    });
    expect(replaced[0]).toBe('event-loop-stall > 1s');
    expect(replaced).toHaveLength(4);
    await handle!.shutdown();
    expect(await ruleNames({ defaultRules: false })).toEqual([]);
  });

  it('reads VIGIL_RULES files (YAML) and rejects bad ones naming the rule and field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
    writeFileSync(
      join(dir, 'ok.yml'),
      'rules:\n  - { name: slow, metric: nodejs.eventloop.delay.p99, above: 50ms, capture: { cpu: 5s } }\n',
    );
    expect(await ruleNames({ defaultRules: false, rulesFile: join(dir, 'ok.yml') })).toEqual(['slow > 50ms']);
    await handle!.shutdown();
    handle = undefined;

    writeFileSync(
      join(dir, 'bad.yml'),
      'rules:\n  - { name: slow, metric: nodejs.eventloop.delay.p99, above: fast, capture: { cpu: 5s } }\n',
    );
    const error = (await start({ ...base, rulesFile: join(dir, 'bad.yml') }).catch((e: unknown) => e)) as VigilError;
    expect(error).toBeInstanceOf(VigilError);
    expect(error.code).toBe(ErrorCodes.RULE_INVALID);
    expect(error.message).toMatch(/bad\.yml: rule "slow", field above: "fast" is not valid; expected a duration/);

    writeFileSync(join(dir, 'broken.yml'), 'rules: [ {');
    const broken = (await start({ ...base, rulesFile: join(dir, 'broken.yml') }).catch(
      (e: unknown) => e,
    )) as VigilError;
    expect(broken.code).toBe(ErrorCodes.RULES_FILE);
    expect(broken.message).toMatch(/^VIGIL_RULES: ".*broken\.yml" is not valid YAML or JSON/);
  });
});
