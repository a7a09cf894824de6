/**
 * The JSON Schema of `.codex-lsp.json` (schema/codex-lsp.schema.json, written by `npm run
 * schema`): it is what the declaration generates today, and an editor validating with it agrees
 * with the server's reader, on real project files and key by key.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { readProjectFile, USER_ONLY_KEYS } from '../../server/config/project';
import { resolveSettings, SETTINGS } from '../../server/config/settings';
import { projectFileSchema, projectFileSchemaText, SCHEMA_PATH, SCHEMA_URL, settingJsonSchema } from '../../server/config/settings-json-schema';
import { REPO_ROOT } from '../support/paths';

const committed = readFileSync(path.join(REPO_ROOT, SCHEMA_PATH), 'utf8');
const validate = new Ajv({ strict: true, allErrors: true }).compile(JSON.parse(committed) as object);
const valid = (doc: unknown): boolean => validate(doc) === true;

const dir = mkdtempSync(path.join(tmpdir(), 'schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** The server's verdict on a project file holding `text`: its problems. */
function reader(text: string): string[] {
  const file = path.join(dir, '.codex-lsp.json');
  writeFileSync(file, text);
  return readProjectFile(file).problems;
}

const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const projectSection = readme.slice(readme.indexOf('### Project settings: `.codex-lsp.json`'), readme.indexOf('## What you see'));

describe('schema/codex-lsp.schema.json', () => {
  it('is what the settings declaration generates (run `npm run schema` after changing server/config/settings-schema.ts)', () => {
    expect(committed).toBe(projectFileSchemaText());
  });

  it('ships in the npm package at the path the README and its $id name', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { files: string[]; repository: { url: string } };
    expect(pkg.files).toContain(`${path.dirname(SCHEMA_PATH)}/`);
    const repo = pkg.repository.url.replace(/^git\+https:\/\/github\.com\//, '').replace(/\.git$/, '');
    expect(SCHEMA_URL).toBe(`https://raw.githubusercontent.com/${repo}/main/${SCHEMA_PATH}`);
    expect(projectFileSchema().$id).toBe(SCHEMA_URL);
    expect(projectSection).toContain(`"$schema": "${SCHEMA_URL}"`);
  });

  const realFiles: Record<string, string> = {
    // Every example the README's project-file section shows.
    ...Object.fromEntries([...projectSection.matchAll(/```json\n([\s\S]*?)```/g)].map((m, i) => [`README example ${i + 1}`, m[1] as string])),
    'ignore globs (cli tests)': '{"ignore": ["fixtures/**", "*.secret"]}',
    'fallbacks off (doctor test)': '{"fallbackModels": []}',
    'api and timeout': '{"api": "responses", "timeoutMs": 1000}',
    'nested sections': '{"cache": {"maxDiskMB": 2}, "hover": {"enabled": false, "delayMs": 0}, "diagnostics": {"trigger": "change", "debounceMs": 500}}',
    'dotted keys, as the settings table writes them': '{"hover.enabled": false, "context.maxBytes": 0, "diagnostics.trigger": "change"}',
    'under "codex", as in editor settings files': '{"codex": {"model": "qwen2.5-coder", "fallbackModels": ["a", "b"], "ignoreAnyCase": true}}',
    'custom actions of every kind':
      '{"codeActions": {"custom": [{"title": "T", "prompt": "P"}, {"title": "U", "prompt": "Q", "kind": "quickfix"}, {"title": "V", "prompt": "R", "kind": "refactor.rewrite.async"}]}}',
    'the $schema line': `{"$schema": "${SCHEMA_URL}", "logLevel": "debug"}`,
    'the $schema line beside "codex"': `{"$schema": "${SCHEMA_URL}", "codex": {"model": "qwen2.5-coder"}}`,
    'empty object': '{}',
  };

  it('accepts every real project file the server accepts without a word', () => {
    expect(Object.keys(realFiles).filter((k) => k.startsWith('README')).length).toBeGreaterThanOrEqual(1);
    for (const [name, text] of Object.entries(realFiles)) {
      expect(reader(text), name).toEqual([]);
      expect(valid(JSON.parse(text)), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('refuses what the server complains about: unknown keys, wrong types, out of bounds, user-only keys', () => {
    const bad: Record<string, string> = {
      'mistyped key': '{"modle": "x"}',
      'mistyped key in a section': '{"hover": {"enabeld": false}}',
      'mistyped dotted key': '{"hover.enabeld": false}',
      'value not in the enum (doctor test)': '{"diagnostics": {"trigger": "sometimes"}}',
      'fraction for a whole number': '{"timeoutMs": 1500.5}',
      'below the minimum': '{"timeoutMs": 10}',
      'a string for a list': '{"ignore": "fixtures/**"}',
      'a blank glob': '{"ignore": ["  "]}',
      'a section that is not an object': '{"hover": false}',
      'a custom action without its prompt': '{"codeActions": {"custom": [{"title": "T"}]}}',
      'a custom action with a mistyped key': '{"codeActions": {"custom": [{"title": "T", "prompt": "P", "knd": "quickfix"}]}}',
      'a custom action of no known kind': '{"codeActions": {"custom": [{"title": "T", "prompt": "P", "kind": "rewrite"}]}}',
      'settings under "codex" and beside it': '{"codex": {"model": "m"}, "ignore": []}',
      ...Object.fromEntries(
        USER_ONLY_KEYS.map((k) => [`user-only ${k}`, JSON.stringify({ [k]: SETTINGS.find((s) => s.key.split('.')[0] === k)?.default ?? 'x' })]),
      ),
    };
    for (const [name, text] of Object.entries(bad)) {
      expect(reader(text).length, name).toBeGreaterThan(0);
      expect(valid(JSON.parse(text)), name).toBe(false);
    }
  });

  // Values of every type, right and wrong, tried on every key the project file may hold.
  const samples: unknown[] = [
    ...[-1, 0, 0.5, 1, 64, 99, 100, 150, 1000, 1500.5, 5000, 16_384, 100_000, 600_000, 3_600_001],
    ...[true, false, '', '  ', 'x', ' codex-mini ', 'auto', 'chat', 'change', 'debug', 'verbose'],
    ...[[], ['a', 'b'], [''], [1], {}, { a: 1 }, [{ title: 'T', prompt: 'P' }], [{ title: 'T' }]],
  ];
  /** Where the reader is deliberately more lenient than the schema (see settings-json-schema.ts). */
  function leniency(type: unknown, v: unknown): boolean {
    if (v === null) return true;
    if (typeof v !== 'string') return false;
    return type === 'boolean' ? v === 'true' || v === 'false' : (type === 'integer' || type === 'number') && v.trim() !== '';
  }

  it('agrees with the reader key by key, nested and dotted, apart from the documented leniencies', () => {
    const keys = SETTINGS.filter((s) => !(USER_ONLY_KEYS as readonly string[]).includes(s.key.split('.')[0] as string));
    expect(keys.length).toBe(SETTINGS.length - 4);
    let accepted = 0;
    for (const spec of keys) {
      const { type } = settingJsonSchema(spec);
      for (const value of [...samples, '5000', 'true', null]) {
        const [head, leaf] = spec.key.split('.') as [string, string | undefined];
        const forms = leaf === undefined ? [{ [head]: value }] : [{ [head]: { [leaf]: value } }, { [spec.key]: value }];
        for (const doc of forms) {
          const server = resolveSettings([{ source: 'project', values: doc }]).problems.length === 0;
          const editor = valid(doc);
          if (leniency(type, value) && server) expect(editor, `${JSON.stringify(doc)} is a client leniency, not advertised`).toBe(false);
          else expect(editor, `${JSON.stringify(doc)}: schema ${editor}, server ${server}`).toBe(server);
          if (editor) accepted++;
        }
      }
    }
    // The sweep is not vacuous: a good share of the samples fit some key.
    expect(accepted).toBeGreaterThan(100);
  });

  it('is read without complaint when a project file names it', () => {
    expect(reader(`{"$schema": "${SCHEMA_URL}"}`)).toEqual([]);
    // Only as the schema pointer: elsewhere it is an unknown key like any other.
    expect(reader('{"hover": {"$schema": "x"}}')).toEqual([expect.stringContaining('unknown setting "hover.$schema"')]);
  });
});
