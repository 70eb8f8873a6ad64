import type { CaptureMetadata } from '@vigil/store';

/** A capture's reason in words: rule, value, threshold. */
export function describeReason(reason: CaptureMetadata['reason']): string {
  const measured = [
    reason.value === undefined ? '' : `value ${formatNumber(reason.value)}`,
    reason.threshold === undefined ? '' : `threshold ${formatNumber(reason.threshold)}`,
  ]
    .filter(Boolean)
    .join(', ');
  const tail = measured ? ` (${measured})` : '';
  switch (reason.kind) {
    case 'rule':
      return `rule ${reason.name ?? '?'} fired${tail}`;
    case 'alert':
      return `Prometheus alert ${reason.name ?? '?'} (Alertmanager webhook)${tail}`;
    case 'manual':
      return 'taken on request (POST /debug/vigil/captures)';
    case 'http':
      return 'taken over HTTP (GET /debug/pprof/profile or /debug/vigil/flame)';
    case 'continuous':
      return 'continuous profile: one period, uploaded by VIGIL_CONTINUOUS';
    case 'oom':
      return `near the heap limit${tail}`;
    default:
      return `${reason.kind}${reason.name ? ` ${reason.name}` : ''}${tail}`;
  }
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4).replace(/\.?0+$/, '');
}

/** A size as people read it. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
