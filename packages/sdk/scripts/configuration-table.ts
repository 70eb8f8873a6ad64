/**
 * docs/configuration.md's settings table, generated from the one declaration of each option: configSpec in
 * src/config.ts (environment variable, default, parser and the doc comment beside each field) and the object options
 * of VigilOptions in src/types.ts. `pnpm docs:config` rewrites the table; a test fails when the page and this differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';
import { NON_CONFIG_KEYS, configSpec } from '../src/config.ts';

const SRC = new URL('../src/', import.meta.url);
export const CONFIGURATION_PAGE = new URL('../../../docs/configuration.md', import.meta.url);
const HEADER = ['| option | environment | default | meaning |', '|---|---|---|---|'];

interface DocComment {
  text: string;
  /** The `@default` tag: how the default reads where the value alone does not say it. */
  defaultText?: string;
}

/** The table's lines, header included: one row per option, in declaration order (settings, then objects). */
export function configurationTable(): string[] {
  const spec = configSpec('/nonexistent');
  const settingDocs = docComments('config.ts', (node) => {
    if (!ts.isFunctionDeclaration(node) || node.name?.text !== 'configSpec') return undefined;
    const literal = returnedObject(node);
    return literal?.properties.filter(ts.isPropertyAssignment);
  });
  const objectDocs = docComments('types.ts', (node) =>
    ts.isInterfaceDeclaration(node) && node.name.text === 'VigilOptions'
      ? node.members.filter(ts.isPropertySignature)
      : undefined,
  );
  const rows = Object.entries(spec).map(([key, field]) => {
    const doc = required(settingDocs, key, 'src/config.ts configSpec');
    const value = field.default as unknown;
    const shown = (field.show as ((v: unknown) => string) | undefined)?.(value);
    const defaultText =
      doc.defaultText ??
      (shown !== undefined
        ? code(shown)
        : value === undefined || (Array.isArray(value) && value.length === 0)
          ? 'none'
          : code(String(value)));
    return row(key, field.env === undefined ? '—' : code(field.env), defaultText, doc.text);
  });
  const objects = [...objectDocs.keys()];
  if ([...objects].sort().join() !== [...NON_CONFIG_KEYS].sort().join())
    throw new Error(`VigilOptions' own members (${objects}) must be NON_CONFIG_KEYS (${[...NON_CONFIG_KEYS]})`);
  for (const key of objects) {
    const doc = required(objectDocs, key, 'src/types.ts VigilOptions');
    rows.push(row(key, '—', doc.defaultText ?? '—', doc.text));
  }
  return [...HEADER, ...rows];
}

/** docs/configuration.md with its settings table replaced by the generated one. */
export function pageWithTable(page: string): string {
  const lines = page.split('\n');
  const start = lines.indexOf(HEADER[0]!);
  if (start < 0) throw new Error(`docs/configuration.md has no line "${HEADER[0]}"`);
  let end = start;
  while (end < lines.length && lines[end]!.startsWith('|')) end++;
  return [...lines.slice(0, start), ...configurationTable(), ...lines.slice(end)].join('\n');
}

function row(option: string, env: string, defaultText: string, meaning: string): string {
  return `| ${code(option)} | ${env} | ${defaultText} | ${meaning} |`;
}

function code(text: string): string {
  return `\`${text}\``;
}

function required(docs: Map<string, DocComment>, key: string, where: string): DocComment {
  const doc = docs.get(key);
  if (doc === undefined || doc.text === '') throw new Error(`${key}: no doc comment in ${where}`);
  return doc;
}

function returnedObject(fn: ts.FunctionDeclaration): ts.ObjectLiteralExpression | undefined {
  for (const statement of fn.body?.statements ?? []) {
    if (ts.isReturnStatement(statement) && statement.expression && ts.isObjectLiteralExpression(statement.expression))
      return statement.expression;
  }
  return undefined;
}

/** The doc comments of the named members that `pick` finds in one source file. */
function docComments(
  file: string,
  pick: (node: ts.Node) => readonly (ts.PropertyAssignment | ts.PropertySignature)[] | undefined,
): Map<string, DocComment> {
  const source = ts.createSourceFile(file, readFileSync(new URL(file, SRC), 'utf8'), ts.ScriptTarget.Latest, true);
  const docs = new Map<string, DocComment>();
  const visit = (node: ts.Node): void => {
    const members = pick(node);
    if (members === undefined) return ts.forEachChild(node, visit);
    for (const member of members) {
      const jsDoc = ts.getJSDocCommentsAndTags(member).filter(ts.isJSDoc).at(-1);
      if (jsDoc === undefined) continue;
      const defaultTag = jsDoc.tags?.find((tag) => tag.tagName.text === 'default');
      docs.set(member.name.getText(source), {
        text: sentence(ts.getTextOfJSDocComment(jsDoc.comment) ?? ''),
        defaultText: defaultTag && sentence(ts.getTextOfJSDocComment(defaultTag.comment) ?? ''),
      });
    }
  };
  visit(source);
  return docs;
}

/** One line, as a phrase: no final period, and lower case first unless the first word is an acronym (`PEM`). */
function sentence(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  return /^[A-Z][a-z]/.test(line) ? line[0]!.toLowerCase() + line.slice(1) : line;
}

if (process.argv.includes('--write')) {
  writeFileSync(CONFIGURATION_PAGE, pageWithTable(readFileSync(CONFIGURATION_PAGE, 'utf8')));
}
