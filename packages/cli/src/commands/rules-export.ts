import { DEFAULT_RULES, exportPrometheusRules, loadRulesFile, parseRules, type Rule } from '@vigil/triggers';
import { VigilError } from '@vigil/core';
import { CliError } from '../cli-error.ts';

/** `vigil rules export --format prometheus`: the same rules Vigil evaluates in-process, as Prometheus alerting rules. */
export async function rulesExportCommand(options: {
  format?: string;
  names?: string;
  rulesFile?: string;
  defaults: boolean;
}): Promise<string> {
  if (options.format !== 'prometheus') throw new CliError('--format must be "prometheus" (the only export format)', 2);
  const names = options.names ?? 'otel';
  if (names !== 'otel' && names !== 'prom-client')
    throw new CliError('--names must be "otel" or "prom-client" (VIGIL_METRIC_NAMES)', 2);
  try {
    const byName = new Map<string, Rule>();
    if (options.defaults) for (const r of parseRules([...DEFAULT_RULES], 'default rules')) byName.set(r.name, r);
    if (options.rulesFile) for (const r of await loadRulesFile(options.rulesFile)) byName.set(r.name, r);
    return await exportPrometheusRules([...byName.values()], names);
  } catch (error) {
    if (error instanceof VigilError) throw new CliError(error.message);
    throw error;
  }
}
