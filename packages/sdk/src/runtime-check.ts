/** The oldest Node.js Vigil runs on: the OpenTelemetry 3.x line needs 22.15. */
export const MIN_NODE = [22, 15] as const;

export function isSupportedRuntime(version = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}
