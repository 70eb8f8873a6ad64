import type { Browser } from 'playwright-core';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { start, type VigilHandle } from '@vigil/sdk';
import { launchChromium } from '@vigil/test-helpers/browser';
import { goPprofTop } from '@vigil/test-helpers/pprof';

let browser: Browser;
let vigil: VigilHandle;

beforeAll(async () => {
  vigil = await start({
    metricsHost: '127.0.0.1',
    metricsPort: 0,
    debugAddr: '127.0.0.1:0',
    defaultRules: false,
    store: `file://${mkdtempSync(join(tmpdir(), 'vigil-browser-store-'))}`,
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await vigil?.shutdown();
});

it('a real browser opens /debug/pprof/, sees every profile with its command, and follows the heap link', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const response = await page.goto(`${vigil.debugUrl}/debug/pprof/`);
  expect(response?.status()).toBe(200);
  expect(await page.title()).toBe('/debug/pprof/ — Vigil');
  const rows = await page.locator('table').first().locator('tbody tr').allInnerTexts();
  expect(rows).toHaveLength(4);
  expect(rows[0]).toMatch(/^profile\?seconds=30\s+CPU profile/);
  expect(await page.locator('code').first().innerText()).toBe(
    `go tool pprof ${vigil.debugUrl}/debug/pprof/profile?seconds=30`,
  );
  await expect(page.locator('body').innerText()).resolves.toMatch(
    /Continuous profiling is on: the flight recorder holds \d+ windows/,
  );

  // The heap link is a download (an attachment), as Go's is: the browser saves it rather than rendering it.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('a', { hasText: /^heap$/ }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('heap');
  const path = await download.path();
  expect(goPprofTop(readFileSync(path), ['-sample_index=inuse_space']).rows.length).toBeGreaterThan(0);
  expect(await page.locator('#no-captures').innerText()).toMatch(/^None yet\./);

  // A capture taken now is listed on the page, and its link serves it.
  const posted = await fetch(`${vigil.debugUrl}/debug/vigil/captures`, { method: 'POST', body: '{"type":"heap"}' });
  const { id } = (await posted.json()) as { id: string };
  await page.reload();
  const row = page.locator('#captures tbody tr').first();
  expect(await row.innerText()).toMatch(new RegExp(`^${id}\\s+heap\\s+taken on request`));
  const [captureDownload] = await Promise.all([
    page.waitForEvent('download'),
    row.locator('a', { hasText: 'pprof' }).click(),
  ]);
  expect(captureDownload.suggestedFilename()).toBe(`${id}.pb.gz`);
  expect(
    goPprofTop(readFileSync(await captureDownload.path()), ['-sample_index=inuse_space']).rows.length,
  ).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});
