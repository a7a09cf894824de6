import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { resolveSettings } from './settings';
import { messageOf } from '../util/text';

/** The team's shared settings, committed with the code. */
export const PROJECT_FILE = '.codex-lsp.json';

/**
 * Settings a project file may not set, because a cloned repository must not decide them:
 * where the user's code and API key are sent (`apiKey`, `baseUrl`), and what the user is told
 * they spend or may spend (`prices`, `budget`). They belong to the user (editor, environment).
 */
export const USER_ONLY_KEYS = ['apiKey', 'baseUrl', 'prices', 'budget'] as const;

const WHY: Record<(typeof USER_ONLY_KEYS)[number], string> = {
  apiKey: 'it decides where your key is sent. Set it in the environment (CODEX_LSP_API_KEY) or your editor settings.',
  baseUrl: 'it decides where your code is sent. Set it in the environment (CODEX_LSP_BASE_URL) or your editor settings.',
  prices: 'it decides what you are told you spend. Set it in your editor settings.',
  budget: 'it decides what you may spend. Set it in your editor settings.',
};

/** The nearest project file at or above `start` (a file or a folder); undefined if none. */
export function findProjectFile(start: string): string | undefined {
  let dir = path.resolve(start);
  try {
    if (!statSync(dir).isDirectory()) dir = path.dirname(dir);
  } catch {
    dir = path.dirname(dir);
  }
  for (;;) {
    const candidate = path.join(dir, PROJECT_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export interface ProjectConfig {
  file: string;
  /** The settings object (with user-only keys removed), or undefined when the file is unusable. */
  values: Record<string, unknown> | undefined;
  /** Errors that name the file (and the key), its values' included: shown to the user. */
  problems: string[];
}

/** Line and column of an offset, for JSON parse errors. */
function where(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/**
 * Where JSON text stops being valid: Node 20's JSON.parse does not always say. A small
 * recursive-descent check, used only once parsing has failed.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i] as string)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    } else if (c === '"') string();
    else {
      const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
      if (!m) fail();
      i += (m as RegExpExecArray)[0].length;
    }
  };
  const string = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if ((text.charCodeAt(i) ?? 0) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  try {
    value();
    ws();
    return i < text.length ? i : undefined;
  } catch (at) {
    return typeof at === 'number' ? Math.min(at, text.length) : undefined;
  }
}

/** Reads and checks a project file's shape; the values themselves are validated with the other settings. */
export function readProjectFile(file: string): ProjectConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { file, values: undefined, problems: [`${file}: cannot be read (${messageOf(err)})`] };
  }
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? {} : JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const msg = messageOf(err);
    const at = jsonErrorOffset(text.replace(/^\uFEFF/, ''));
    return { file, values: undefined, problems: [`${file}: not valid JSON${at !== undefined ? ` at ${where(text, at)}` : ''} (${msg.split('\n')[0]})`] };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { file, values: undefined, problems: [`${file}: must hold a JSON object of settings, like {"ignore": ["fixtures/**"]}`] };
  }
  // Accept the settings at the top level, or under "codex" as in editor settings files.
  const record = parsed as Record<string, unknown>;
  const values: Record<string, unknown> =
    Object.keys(record).filter((k) => k !== '$schema').length === 1 && typeof record.codex === 'object' && record.codex !== null && !Array.isArray(record.codex)
      ? { ...(record.codex as Record<string, unknown>) }
      : { ...record };
  const problems: string[] = [];
  for (const key of USER_ONLY_KEYS) {
    if (key in values || (key === 'budget' && 'budget.dailyUSD' in values)) {
      delete values[key];
      delete values['budget.dailyUSD'];
      problems.push(`${file}: "${key}" is not taken from a project file: ${WHY[key]}`);
    }
  }
  // The values are checked like any other source's, so both readers report the same problems.
  problems.push(...resolveSettings([{ source: file, values }]).problems);
  return { file, values, problems };
}
