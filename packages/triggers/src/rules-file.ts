import { readFileSync } from 'node:fs';
import { ErrorCodes, VigilError } from '@vigil/core';
import { parseRules, type Rule } from './rule.ts';

/**
 * Reads the VIGIL_RULES file (YAML, or JSON, which is YAML too): `rules: [...]`. The YAML parser (72 modules) is loaded
 * only here, so a start without a rules file never loads it.
 */
export async function loadRulesFile(path: string): Promise<Rule[]> {
  const { parse } = await import('yaml');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new VigilError(ErrorCodes.RULES_FILE, `VIGIL_RULES: cannot read "${path}": ${(error as Error).message}`, {
      field: 'VIGIL_RULES',
      value: path,
      cause: error,
    });
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new VigilError(
      ErrorCodes.RULES_FILE,
      `VIGIL_RULES: "${path}" is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`,
      { field: 'VIGIL_RULES', value: path, cause: error },
    );
  }
  const rules = (document as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) {
    throw new VigilError(ErrorCodes.RULES_FILE, `VIGIL_RULES: "${path}" must hold a list under "rules:"`, {
      field: 'VIGIL_RULES',
      value: path,
      expected: 'rules: [ ... ]',
    });
  }
  return parseRules(rules, path);
}
