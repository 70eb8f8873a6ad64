/** One process's Prometheus text exposition, and the label that tells its series apart in the merged one. */
export interface LabelledExposition {
  labels: Readonly<Record<string, string>>;
  text: string;
}

interface Family {
  help?: string;
  type?: string;
  samples: string[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

/**
 * Merges several processes' expositions into one that Prometheus accepts: each metric family once (its HELP and
 * TYPE from the first process that has it), followed by the samples of every process, each sample with that
 * process's labels added in front of its own. Families keep the order in which they first appear.
 */
export function mergeExpositions(parts: readonly LabelledExposition[]): string {
  const families = new Map<string, Family>();
  const family = (name: string): Family => {
    let f = families.get(name);
    if (f === undefined) families.set(name, (f = { samples: [] }));
    return f;
  };
  for (const { labels, text } of parts) {
    const prefix = Object.entries(labels)
      .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
      .join(',');
    let current: string | undefined;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      if (line.startsWith('#')) {
        const [, keyword, name] = /^#\s+(HELP|TYPE)\s+(\S+)/.exec(line) ?? [];
        if (keyword === undefined || name === undefined) continue; // other comments carry nothing to merge
        const f = family(name);
        if (keyword === 'HELP') f.help ??= line;
        else {
          f.type ??= line;
          current = name;
        }
        continue;
      }
      const name = METRIC_NAME.exec(line)?.[0];
      if (name === undefined) continue;
      // A histogram's _bucket, _sum and _count samples belong to the family its TYPE line named.
      const owner =
        current !== undefined && (name === current || SUFFIXES.some((s) => name === current + s)) ? current : name;
      family(owner).samples.push(withLabels(line, name, prefix));
    }
  }
  const out: string[] = [];
  for (const f of families.values()) {
    if (f.help !== undefined) out.push(f.help);
    if (f.type !== undefined) out.push(f.type);
    out.push(...f.samples);
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

function withLabels(line: string, name: string, prefix: string): string {
  if (prefix === '') return line;
  const rest = line.slice(name.length);
  if (rest.startsWith('{}')) return `${name}{${prefix}}${rest.slice(2)}`;
  if (rest.startsWith('{')) return `${name}{${prefix},${rest.slice(1)}`;
  return `${name}{${prefix}}${rest}`;
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
