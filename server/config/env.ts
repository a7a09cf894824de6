import * as os from 'node:os';
import * as path from 'node:path';
import type { SettingsLayer } from './settings';

/** The environment variables that may hold the API key, in the order they are tried. */
export const KEY_VARIABLES = ['CODEX_LSP_API_KEY', 'COMETAPI_KEY', 'COMETAPI_API_KEY', 'OPENAI_API_KEY'] as const;

function nonEmpty(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}

export interface EnvironmentConfig {
  layer: SettingsLayer;
  /** Which variable the key came from, for messages ("the key from COMETAPI_KEY was rejected"). */
  keySource: string | undefined;
  cacheDir: string;
}

export function readEnvironment(env: NodeJS.ProcessEnv): EnvironmentConfig {
  const values: Record<string, unknown> = {};
  let keySource: string | undefined;
  for (const name of KEY_VARIABLES) {
    const v = nonEmpty(env, name);
    if (v !== undefined) {
      values.apiKey = v;
      keySource = name;
      break;
    }
  }
  const baseUrl = nonEmpty(env, 'CODEX_LSP_BASE_URL');
  if (baseUrl !== undefined) values.baseUrl = baseUrl;
  else if (keySource === 'OPENAI_API_KEY' && nonEmpty(env, 'OPENAI_BASE_URL') !== undefined) {
    // OPENAI_API_KEY and OPENAI_BASE_URL are a pair (the official SDKs read them together):
    // a key taken from one goes to the endpoint named by the other.
    values.baseUrl = nonEmpty(env, 'OPENAI_BASE_URL');
  }
  const model = nonEmpty(env, 'CODEX_LSP_MODEL');
  if (model !== undefined) values.model = model;
  return { layer: { source: 'environment', values }, keySource, cacheDir: cacheDirFrom(env) };
}

export function cacheDirFrom(env: NodeJS.ProcessEnv): string {
  const explicit = nonEmpty(env, 'CODEX_LSP_CACHE_DIR');
  if (explicit !== undefined) return path.resolve(explicit);
  const xdg = nonEmpty(env, 'XDG_CACHE_HOME');
  if (xdg !== undefined) return path.join(path.resolve(xdg), 'codex-lsp');
  const home = nonEmpty(env, 'HOME') ?? nonEmpty(env, 'USERPROFILE') ?? os.homedir();
  return path.join(home, '.cache', 'codex-lsp');
}
