import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@vigil/core';

/** docs/errors.md is the catalogue users read: one row per code of ErrorCodes, and no row for a code that is gone. */
const PAGE = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

describe('docs/errors.md', () => {
  it('has a row for every error code, and none for a code the catalogue lacks', () => {
    const documented = [...PAGE.matchAll(/^\| `(VIGIL_ERR_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]!);
    expect(new Set(documented).size, 'each code once').toBe(documented.length);
    expect(documented.sort()).toEqual(Object.values(ErrorCodes).sort());
  });

  it('names no code outside its table that the catalogue lacks', () => {
    const mentioned = new Set([...PAGE.matchAll(/VIGIL_ERR_[A-Z0-9_]+/g)].map((m) => m[0]));
    const known = new Set<string>(Object.values(ErrorCodes));
    expect([...mentioned].filter((code) => !known.has(code))).toEqual([]);
  });
});
