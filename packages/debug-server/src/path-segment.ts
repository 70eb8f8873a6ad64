/** A path segment's text, or undefined for a malformed escape (`%zz`, `%E0%A4%A`), which decodeURIComponent throws on. */
export function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
