import { DEFAULT_RULES, loadRulesFile, parseRules, type Rule } from '@vigil/triggers';
import type { ResolvedConfig, VigilOptions } from './types.ts';

/** The rules in force: the defaults (unless dropped), then the file's and the code's; a later rule of a name wins. */
export async function resolveRules(config: Readonly<ResolvedConfig>, options: VigilOptions): Promise<Rule[]> {
  const byName = new Map<string, Rule>();
  const add = (rules: Rule[]) => rules.forEach((r) => byName.set(r.name, r));
  if (config.defaultRules) add(parseRules([...DEFAULT_RULES], 'default rules'));
  if (config.rulesFile !== undefined) add(await loadRulesFile(config.rulesFile));
  if (options.rules !== undefined) add(parseRules(options.rules, 'options.rules'));
  return [...byName.values()];
}
