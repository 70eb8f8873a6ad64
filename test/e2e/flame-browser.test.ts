import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveLoad } from '../../examples/leftpad/src/load.ts';
import { launchChromium } from '@vigil/test-helpers/browser';
import { waitFor } from '@vigil/test-helpers/metrics';
import { startLeftpad } from '@vigil/test-helpers/leftpad';
import { REPO_ROOT, spawnNode, type Spawned } from '@vigil/test-helpers/process';

/**
 * The flame graph pages, in a real browser, of a real left-pad service: a manual capture holding the padding load and
 * one traced checkout request, and a capture its stall rule takes by itself. Screenshots go to test/output/flame/ for a
 * reviewer to look at.
 */
const hasFrame = Number(process.versions.node.split('.')[0]) >= 24;
const SHOTS = join(REPO_ROOT, 'test', 'output', 'flame');

let app: Spawned;
let appUrl: string;
let debugUrl: string;
let storeDir: string;
let browser: Browser;
let context: BrowserContext;
/** Every URL the browser asked for, from any page of this context. */
const requested: string[] = [];
const consoleErrors: string[] = [];
let manual: { id: string; traceId: string };
let triggered: string;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  storeDir = mkdtempSync(join(tmpdir(), 'vigil-flame-store-'));
  const rules = join(storeDir, 'rules.yml');
  writeFileSync(
    rules,
    'rules:\n  - name: stall\n    metric: nodejs.eventloop.delay.max\n    above: 1s\n    for: 0s\n    capture: { cpu: 2s, lookback: 5s }\n    cooldown: 1m\n',
  );
  ({ app, appUrl, debugUrl } = await startLeftpad({
    VIGIL_SPAN_LABELS: hasFrame ? 'auto' : 'async-hooks',
    VIGIL_STORE: `file://${storeDir}`,
    VIGIL_RULES: rules,
    VIGIL_EVENT_LOOP_WINDOW: '5s',
  }));

  // Load all along: the padding is the hot function, and the normal the stall is compared with.
  const load = driveLoad(appUrl, ['/pad?len=3000', '/catalogue'], { durationMillis: 16_000, concurrency: 6 });
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const traceId = randomBytes(16).toString('hex');
  const posted = await fetch(`${debugUrl}/debug/vigil/captures`, {
    method: 'POST',
    body: JSON.stringify({ type: 'cpu', seconds: 3 }),
  });
  const { id } = (await posted.json()) as { id: string };
  await new Promise((resolve) => setTimeout(resolve, 500));
  const checkout = await fetch(`${appUrl}/checkout?items=200`, {
    headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
  });
  expect(checkout.status).toBe(200);
  await waitFor(
    async () =>
      (
        (await fetch(`${debugUrl}/debug/vigil/captures?trace_id=${traceId}`).then((r) => r.json())) as {
          captures: unknown[];
        }
      ).captures.length > 0,
    'the manual capture',
    15_000,
  );
  manual = { id, traceId };

  // Some seconds more of load, then the stall its rule captures.
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  const stallAt = Date.now();
  await fetch(`${appUrl}/block?ms=2000`);
  triggered = await waitFor(
    async () => {
      const { captures } = (await (
        await fetch(`${debugUrl}/debug/vigil/captures?rule=stall&since=${stallAt}`)
      ).json()) as { captures: { id: string }[] };
      return captures[0]?.id;
    },
    'the triggered capture',
    20_000,
  ).catch(async (error: unknown) => {
    throw new Error(
      `${String(error)}; triggers: ${await (await fetch(`${debugUrl}/debug/vigil/triggers`)).text()}\n${app.output()}`,
    );
  });
  await load;

  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.on('request', (request) => requested.push(request.url()));
  context.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function openFlame(path: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  const response = await page.goto(`${debugUrl}${path}`);
  expect(response?.status(), await response?.text()).toBe(200);
  headersSeen = response!.headers();
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}
let headersSeen: Record<string, string> = {};

/** The widest frame of a function: its `g`, and its width in px. */
async function widest(page: Page, name: string): Promise<{ index: number; width: number }> {
  const widths = await page
    .locator(`#chart g[name="${name}"] rect`)
    .evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('width'))));
  const width = Math.max(...widths);
  return { index: widths.indexOf(width), width };
}

const chartWidth = (page: Page) => page.locator('#chart svg').evaluate((svg) => Number(svg.getAttribute('width')));

describe('the flame page of a capture', () => {
  it('renders the profile: a picture with many frames, the reason and window, and served with a strict CSP', async () => {
    const page = await openFlame(`/debug/vigil/captures/${manual.id}/flame`);
    expect(headersSeen['content-type']).toBe('text/html; charset=utf-8');
    expect(headersSeen['content-security-policy']).toMatch(/^default-src 'none'; script-src 'self'; style-src 'self'/);
    expect(headersSeen['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval|http/);
    expect(await page.title()).toBe(`Flame graph — ${manual.id}`);
    expect(await page.locator('#reason').innerText()).toBe('Why: taken on request (POST /debug/vigil/captures)');
    expect(await page.locator('#window').innerText()).toMatch(
      /^Window: \d{4}-\d\d-\d\dT.* \(\d+\.\d s\) · cpu · \d+ samples · [1-9]\d* traces/,
    );
    const frames = await page.locator('#chart g.frame').count();
    expect(frames).toBeGreaterThan(20);
    const fills = new Set(
      await page.locator('#chart g.frame rect').evaluateAll((rects) => rects.map((r) => r.getAttribute('fill'))),
    );
    expect(fills.size).toBeGreaterThan(5);
    const shot = await page.screenshot({ path: join(SHOTS, 'capture.png'), fullPage: true });
    // A blank 1280-wide page compresses to a few KB; a drawn flame graph with labels does not.
    expect(shot.length).toBeGreaterThan(30_000);
    expect(await page.locator('#download').getAttribute('href')).toBe(`/debug/vigil/captures/${manual.id}`);
    await page.close();
  });

  it("has the hot function's frame, and a click zooms it to the whole width", async () => {
    const page = await openFlame(`/debug/vigil/captures/${manual.id}/flame`);
    const width = await chartWidth(page);
    const before = await widest(page, 'leftPad');
    expect(before.width).toBeGreaterThan(10);
    expect(before.width).toBeLessThan(width * 0.9);
    await page.locator('#chart g[name="leftPad"]').nth(before.index).click();
    await page.waitForSelector('body[data-ready="true"]');
    expect((await widest(page, 'leftPad')).width).toBeGreaterThan(width * 0.98);
    await page.screenshot({ path: join(SHOTS, 'zoomed-leftPad.png') });
    await page.locator('#reset-zoom').click();
    await page.waitForSelector('body[data-ready="true"]');
    expect((await widest(page, 'leftPad')).width).toBeCloseTo(before.width, 0);
    await page.close();
  });

  it('search highlights the frames of the function it names, and says how much they weigh', async () => {
    const page = await openFlame(`/debug/vigil/captures/${manual.id}/flame`);
    await page.locator('#search').fill('leftpad');
    const highlighted = () =>
      page
        .locator('#chart g.frame rect')
        .evaluateAll((rects) =>
          rects.filter((r) => r.getAttribute('fill') === '#E600E6').map((r) => r.parentElement!.getAttribute('name')),
        );
    await waitFor(async () => (await highlighted()).length > 0, 'highlighted frames');
    expect(new Set(await highlighted())).toEqual(new Set(['leftPad']));
    expect(await page.locator('#details').innerText()).toMatch(
      /^search "leftpad": \d+ frames, [\d.]+ m?s \([\d.]+ %\)$/,
    );
    await page.screenshot({ path: join(SHOTS, 'search-leftPad.png') });
    await page.locator('#search').fill('');
    await waitFor(async () => (await highlighted()).length === 0, 'the highlight to clear');
    await page.close();
  });

  it('switches sample type, and the toggle shows or hides the "(idle)" and "Non JS threads activity" frames', async () => {
    const page = await openFlame(`/debug/vigil/captures/${manual.id}/flame`);
    const options = await page.locator('#sample-type option').allInnerTexts();
    expect(options.slice(0, 2)).toEqual(['CPU time', 'wall time']);
    const total = () => page.locator('#total').innerText();
    expect(await total()).toMatch(/^CPU time: [\d.]+ m?s in all$/);
    const hiddenFrames = () =>
      page.locator('#chart g[name="(idle)"], #chart g[name="Non JS threads activity"]').count();
    expect(await hiddenFrames()).toBe(0);
    const hiddenTotal = await total();
    await page.locator('#hide-idle').uncheck();
    await page.waitForSelector('body[data-ready="true"]');
    // The runtime's own threads use CPU in any capture (GC, the compiler): shown, they add to the total.
    expect(await hiddenFrames()).toBeGreaterThan(0);
    expect(await total()).not.toBe(hiddenTotal);
    await page.screenshot({ path: join(SHOTS, 'cpu-with-idle.png') });
    await page.locator('#sample-type').selectOption({ label: 'wall time' });
    await page.waitForSelector('body[data-ready="true"]');
    expect(await total()).toMatch(/^wall time: [\d.]+ m?s in all$/);
    expect(await page.locator('#chart g[name="leftPad"]').count()).toBeGreaterThan(0);
    await page.close();
  });

  it("?trace_id= keeps only that request's frames", async () => {
    const page = await openFlame(`/debug/vigil/captures/${manual.id}/flame?trace_id=${manual.traceId}`);
    expect(await page.locator('#trace-filter').innerText()).toBe(
      `Only the samples of trace ${manual.traceId}. Show all`,
    );
    const names = new Set(
      await page.locator('#chart g.frame').evaluateAll((gs) => gs.map((g) => g.getAttribute('name'))),
    );
    expect(names.has('priceItems') || names.has('applyDiscounts'), [...names].join(', ')).toBe(true);
    expect(names.has('leftPad')).toBe(false);
    expect(names.has('renderCatalogue')).toBe(false);
    expect(await page.locator('#download').getAttribute('href')).toBe(
      `/debug/vigil/captures/${manual.id}?trace_id=${manual.traceId}`,
    );
    await page.screenshot({ path: join(SHOTS, 'trace-filtered.png') });
    await page.close();
  });

  it('a triggered capture shows what changed: the blocking function first', async () => {
    const page = await openFlame(`/debug/vigil/captures/${triggered}/flame`);
    expect(await page.locator('#reason').innerText()).toMatch(/^Why: rule stall fired \(value [\d.]+, threshold 1\)$/);
    expect(await page.locator('#what-changed h2').innerText()).toMatch(
      /^What changed: self share of CPU time, against the \d+ s before/,
    );
    expect(await page.locator('#what-changed li').first().innerText()).toMatch(
      /^blockEventLoop [\d.]+ % → [\d.]+ % \(\+[\d.]+ pts\)/,
    );
    await page.screenshot({ path: join(SHOTS, 'triggered-what-changed.png'), fullPage: true });
    await page.close();
  });

  it('opens in speedscope, served by the debug server too', async () => {
    const page = await openFlame(`/debug/vigil/captures/${manual.id}/flame`);
    await page.locator('#speedscope').click();
    await page.waitForURL(/\/debug\/vigil\/speedscope\/index\.html#profileURL=/);
    await waitFor(async () => (await page.title()).startsWith(manual.id), 'speedscope to load the profile', 15_000);
    await waitFor(async () => (await page.locator('canvas').count()) > 0, 'speedscope to draw');
    await page.screenshot({ path: join(SHOTS, 'speedscope.png') });
    await page.close();
  });

  it('made no request outside the debug server, and no CSP violation', () => {
    expect(requested.length).toBeGreaterThan(10);
    expect(requested.filter((url) => !url.startsWith(`${debugUrl}/`))).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

describe('the index page', () => {
  it('lists captures newest first with their reason, size and links; a trace id typed in the box filters them', async () => {
    const page = await context.newPage();
    await page.goto(`${debugUrl}/debug/pprof/`);
    const rows = page.locator('#captures tbody tr');
    const first = await rows.first().innerText();
    expect(first).toMatch(new RegExp(`^${triggered}\\s+cpu\\s+rule stall fired \\(value [\\d.]+, threshold 1\\)`));
    expect(await rows.nth(1).innerText()).toMatch(
      new RegExp(`^${manual.id}\\s+cpu\\s+taken on request.*\\d+(\\.\\d)? KiB\\s+[1-9]`),
    );
    expect(await page.locator('#rules').innerText()).toMatch(/stall\s+nodejs\.eventloop\.delay\.max above 1s/);
    expect(await page.locator('#firings').innerText()).toMatch(new RegExp(`stall.*${triggered}`));
    await page.screenshot({ path: join(SHOTS, 'index.png'), fullPage: true });

    await page.locator('#trace-id').fill(manual.traceId);
    await Promise.all([page.waitForURL(/trace_id=/), page.locator('#trace-form button').click()]);
    const filtered = await page.locator('#captures tbody tr').allInnerTexts();
    expect(filtered).toHaveLength(1);
    expect(filtered[0]).toMatch(new RegExp(`^${manual.id}`));
    await page.locator('#captures tbody tr a', { hasText: 'flame' }).click();
    await page.waitForSelector('body[data-ready="true"]');
    expect(page.url()).toBe(`${debugUrl}/debug/vigil/captures/${manual.id}/flame?trace_id=${manual.traceId}`);
    await page.close();
  });

  it("links each live profile's flame graph: the heap's draws in-use space now", async () => {
    const page = await context.newPage();
    await page.goto(`${debugUrl}/debug/pprof/`);
    await page.locator('#profiles tr', { hasText: 'In-use heap' }).locator('a', { hasText: 'flame graph' }).click();
    await page.waitForSelector('body[data-ready="true"]');
    expect(page.url()).toBe(`${debugUrl}/debug/vigil/flame?profile=heap`);
    expect(await page.locator('#sample-type option').allInnerTexts()).toContain('heap in-use space');
    await page.locator('#sample-type').selectOption({ label: 'heap in-use space' });
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator('#total').innerText()).toMatch(/^heap in-use space: [\d.]+ (KiB|MiB) in all$/);
    expect(await page.locator('#chart g.frame').count()).toBeGreaterThan(5);
    await page.screenshot({ path: join(SHOTS, 'live-heap.png') });
    await page.close();
  });
});

describe('vigil flame and vigil diff', () => {
  const vigil = async (...args: string[]) => {
    const cli = spawnNode([`${REPO_ROOT}packages/cli/src/cli.ts`, ...args], { cwd: storeDir });
    return { code: await cli.exited(), output: cli.output() };
  };

  it('flame -o writes one offline file: it renders from file:// and asks for nothing', async () => {
    const file = join(storeDir, 'flame.html');
    const made = await vigil('flame', triggered, '--store', `file://${storeDir}`, '-o', file);
    expect(made.code, made.output).toBe(0);
    expect(made.output).toMatch(/^wrote .*flame\.html \(\d+ KiB\)/m);
    const offline = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const urls: string[] = [];
    offline.on('request', (r) => urls.push(r.url()));
    const page = await offline.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator('#chart g[name="blockEventLoop"]').count()).toBeGreaterThan(0);
    expect(await page.locator('#what-changed li').first().innerText()).toMatch(/^blockEventLoop /);
    await page.screenshot({ path: join(SHOTS, 'offline-flame.png') });
    expect(urls).toEqual([`file://${file}`]);
    expect(errors).toEqual([]);
    await offline.close();
  });

  it('diff names the function whose share grew most, and -o draws the differential flame graph', async () => {
    const printed = await vigil(
      'diff',
      manual.id,
      triggered,
      '--store',
      `file://${storeDir}`,
      '--normalize',
      '--sample-index',
      'cpu',
    );
    expect(printed.code, printed.output).toBe(0);
    expect(printed.output).toMatch(
      /Largest changes by flat \(self\) value:\n\s+delta\s+base%\s+new%\s+function\n\s+\+[\d.]+m?s\s+0\.00%\s+[\d.]+%\s+blockEventLoop /,
    );
    expect(printed.output).toMatch(/Largest changes by cumulative value:/);
    const file = join(storeDir, 'diff.html');
    const drawn = await vigil('diff', manual.id, triggered, '--store', `file://${storeDir}`, '--normalize', '-o', file);
    expect(drawn.code, drawn.output).toBe(0);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.title()).toMatch(/^Differential flame graph — /);
    // The stall is new: its frame is drawn in the "grew" colour (red), the padding's shrank share in blue.
    const fill = await page.locator('#chart g[name="blockEventLoop"] rect').first().getAttribute('fill');
    expect(fill).toMatch(/^rgb\(2[0-9]{2}, ?[0-9]{1,3}, ?[0-9]{1,3}\)$/);
    await page.screenshot({ path: join(SHOTS, 'diff.png') });
    await page.close();
  });
});
