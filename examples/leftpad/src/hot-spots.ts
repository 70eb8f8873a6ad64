import { writeSync } from 'node:fs';

/**
 * The service's work, with the hot spots a profile should find: each is written the slow way on purpose, as in the
 * left-pad service of the article this example answers.
 */

/** Pads one character at a time, each prepended to the front: quadratic, as the article's left-pad was. */
export function leftPad(text: string, length: number, fill = ' '): string {
  const chars = [...text];
  while (chars.length < length) chars.unshift(fill);
  return chars.join('');
}

const CATALOGUE = Array.from({ length: 400 }, (_, i) => ({
  id: i,
  sku: `SKU-${i.toString(36).toUpperCase()}`,
  title: `Item number ${i}`,
  tags: ['red', 'green', 'blue'].slice(0, (i % 3) + 1),
  price: { amount: (i * 37) % 1000, currency: 'EUR' },
}));

/** Serializes a large object on every request instead of caching the string. */
export function renderCatalogue(): string {
  return JSON.stringify({ generatedAt: Date.now(), items: CATALOGUE });
}

/** Synchronous logging: a blocking write per request. */
export function logRequest(fd: number, line: string): void {
  writeSync(fd, `${new Date().toISOString()} ${line}\n`);
}

const retained: number[][] = [];

/** Keeps `kib` KiB of numbers forever: the retained buffer a heap profile should point at. */
export function retainBuffer(kib: number): number {
  const values = new Array<number>(kib * 128);
  for (let i = 0; i < values.length; i++) values[i] = i + 0.5;
  retained.push(values);
  return retained.length;
}

/** Prices a basket: CPU work found nowhere else in the service, before and after an await. */
export async function checkoutBasket(items: number): Promise<number> {
  let total = priceItems(items);
  await new Promise((resolve) => setImmediate(resolve));
  total += applyDiscounts(items);
  return total;
}

function priceItems(items: number): number {
  let total = 0;
  for (let i = 0; i < items * 40_000; i++) total += Math.sqrt(i % 1_000) * 1.07;
  return total;
}

function applyDiscounts(items: number): number {
  let discount = 0;
  for (let i = 0; i < items * 40_000; i++) discount -= Math.cbrt(i % 777) * 0.05;
  return discount;
}

/** Blocks the event loop for `millis` ms: the stall an alert should explain. */
export function blockEventLoop(millis: number): number {
  const end = Date.now() + millis;
  let spins = 0;
  while (Date.now() < end) spins++;
  return spins;
}
