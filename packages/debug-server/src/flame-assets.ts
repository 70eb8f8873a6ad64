import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A static file the debug server serves, or the offline page inlines. */
export interface StaticAsset {
  body: Buffer;
  contentType: string;
}

/** The flame page's scripts and styles, in the order the page loads them. */
export const FLAME_SCRIPTS = ['d3.min.js', 'd3-flamegraph.js', 'flame-page.js'] as const;
export const FLAME_STYLES = ['d3-flamegraph.css', 'flame-page.css'] as const;

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

// Works from src (ESM, run through the source condition) and from the CJS build alike.
const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
const requireHere = createRequire(join(here, 'flame-assets.js'));

function packageDir(name: string): string {
  // d3-flame-graph exports only its entry: find its folder from it (the UMD build, under dist/).
  return dirname(requireHere.resolve(name));
}

/** Where each flame asset lives: the libraries from their packages, the page's own files from ../assets. */
function flameAssetPath(name: string): string | undefined {
  switch (name) {
    case 'd3.min.js':
      return join(packageDir('d3'), '..', 'dist', 'd3.min.js');
    case 'd3-flamegraph.js':
      return join(packageDir('d3-flame-graph'), 'd3-flamegraph.umd.js');
    case 'd3-flamegraph.css':
      return join(packageDir('d3-flame-graph'), 'd3-flamegraph.css');
    case 'flame-page.js':
    case 'flame-page.css':
      return join(here, '..', 'assets', name);
    default:
      return undefined;
  }
}

const cache = new Map<string, StaticAsset>();

function read(path: string): StaticAsset {
  let asset = cache.get(path);
  if (asset === undefined) {
    asset = { body: readFileSync(path), contentType: CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' };
    cache.set(path, asset);
  }
  return asset;
}

/** One of the flame page's assets by name, or undefined for any other name. */
export function flameAsset(name: string): StaticAsset | undefined {
  const path = flameAssetPath(name);
  return path === undefined ? undefined : read(path);
}

/**
 * CSP hashes of the `<style>` elements d3-flame-graph inserts itself (its build injects its CSS): allowing exactly
 * that text keeps `style-src` free of 'unsafe-inline'. Empty if the build no longer does this.
 */
export function injectedStyleHashes(): string[] {
  const source = flameAsset('d3-flamegraph.js')!.body.toString('utf8');
  const match = /__vite_style__\.textContent = ("(?:[^"\\]|\\.)*");/.exec(source);
  if (match === null) return [];
  return [cspHash(JSON.parse(match[1]!) as string)];
}

/** `'sha256-…'` of a text, as a CSP source. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

let speedscopeFiles: Set<string> | undefined;

/** A file of speedscope's offline build by name (no folders), served under /debug/vigil/speedscope/. */
export function speedscopeAsset(name: string): StaticAsset | undefined {
  const dir = dirname(requireHere.resolve('speedscope/dist/release/index.html'));
  speedscopeFiles ??= new Set(readdirSync(dir));
  return speedscopeFiles.has(name) ? read(join(dir, name)) : undefined;
}
