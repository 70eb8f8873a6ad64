import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { start, type VigilHandle } from '@vigil/sdk';
import { launchChromium } from '../helpers/browser.ts';
import { goPprofTop } from '../helpers/pprof.ts';

let browser: Browser;
let vigil: VigilHandle;

beforeAll(async () => {
  vigil = await start({ metricsHost: '127.0.0.1', metricsPort: 0, debugAddr: '127.0.0.1:0' });
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
  const rows = await page.locator('tbody tr').allInnerTexts();
  expect(rows).toHaveLength(4);
  expect(rows[0]).toMatch(/^profile\?seconds=30\s+CPU profile/);
  expect(await page.locator('code').first().innerText()).toBe(`go tool pprof ${vigil.debugUrl}/debug/pprof/profile?seconds=30`);
  await expect(page.locator('body').innerText()).resolves.toMatch(/Continuous profiling is on: the flight recorder holds \d+ windows/);

  // The heap link is a download (an attachment), as Go's is: the browser saves it rather than rendering it.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a', { hasText: /^heap$/ }).click()]);
  expect(download.suggestedFilename()).toBe('heap');
  const path = await download.path();
  const { readFileSync } = await import('node:fs');
  expect(goPprofTop(readFileSync(path), ['-sample_index=inuse_space']).rows.length).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});
