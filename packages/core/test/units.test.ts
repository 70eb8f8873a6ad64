import { describe, expect, it } from 'vitest';
import { ErrorCodes, VigilError, formatDuration, formatSize, parseBytes, parseDuration } from '@vigil/core';

describe('parseDuration', () => {
  it.each([
    ['10s', 10_000],
    ['500ms', 500],
    ['1.5m', 90_000],
    ['2h', 7_200_000],
    [' 250 ms ', 250],
    ['42', 42],
    [42, 42],
    [0, 0],
  ])('%j is %d ms', (input, expected) => {
    expect(parseDuration(input, 'f')).toBe(expected);
  });

  it.each([['ten seconds'], ['10 lightyears'], ['-5s'], [''], [-1], [Number.NaN], [null], [{}]])(
    '%j is rejected with the field and the expected form',
    (input) => {
      const error = catchError(() => parseDuration(input, 'VIGIL_X'));
      expect(error).toBeInstanceOf(VigilError);
      expect(error.code).toBe(ErrorCodes.CONFIG_INVALID_VALUE);
      expect(error.message).toMatch(
        /^VIGIL_X: .* is not valid; expected a number of milliseconds or a string like "500ms"/,
      );
    },
  );
});

describe('parseBytes', () => {
  it.each([
    ['512MiB', 512 * 1024 ** 2],
    ['1GiB', 1024 ** 3],
    ['10MB', 10_000_000],
    ['64kib', 65_536],
    ['100', 100],
    [2048, 2048],
  ])('%j is %d bytes', (input, expected) => {
    expect(parseBytes(input, 'f')).toBe(expected);
  });

  it.each([['12 parsecs'], ['MiB'], ['-1MiB'], [true]])('%j is rejected', (input) => {
    expect(() => parseBytes(input, 'maxBytes')).toThrow(/^maxBytes: .* expected a number of bytes/);
  });
});

describe('formatDuration', () => {
  it.each([
    [250, '250ms'],
    [1_500, '1.5s'],
    [120_000, '2m'],
    [3_600_000, '1h'],
  ])('%d ms is %s', (millis, text) => {
    expect(formatDuration(millis)).toBe(text);
  });
});

describe('formatSize', () => {
  it.each([
    [16 * 1024 ** 2, '16MiB'],
    [1024 ** 3, '1GiB'],
    [512 * 1024, '512KiB'],
    [1_500_000, '1500000'],
  ])('%d bytes is %s, which parses back', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
    expect(parseBytes(text)).toBe(bytes);
  });
});

function catchError(fn: () => unknown): VigilError {
  try {
    fn();
  } catch (error) {
    return error as VigilError;
  }
  throw new Error('expected a throw');
}
