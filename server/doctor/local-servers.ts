import { isLoopback } from '../model/gateway';

export type LocalServer = 'Ollama' | 'llama.cpp' | 'vLLM' | 'LM Studio';

export interface ServerInfo {
  /** A known local server, when recognised. */
  kind?: LocalServer;
  /** Model ids the endpoint lists at GET /models (empty when it lists none or has no such route). */
  models: string[];
}

/** Each server's usual port: a hint when /models says nothing about who answers. */
const PORTS: Record<string, LocalServer> = { '11434': 'Ollama', '8080': 'llama.cpp', '8000': 'vLLM', '1234': 'LM Studio' };

/** How each names itself in GET /v1/models (`owned_by`) or its headers. */
function fromListing(owners: string[], serverHeader: string): LocalServer | undefined {
  if (/llama\.cpp/i.test(serverHeader) || owners.includes('llamacpp')) return 'llama.cpp';
  if (owners.includes('vllm')) return 'vLLM';
  if (owners.includes('organization_owner')) return 'LM Studio';
  if (owners.includes('library') || owners.includes('ollama')) return 'Ollama';
  return undefined;
}

/**
 * Who answers at the base URL: GET {baseUrl}/models (free: no tokens), read for the model list
 * and for the marks each local server leaves in it. Never fails; an endpoint without the route
 * just tells nothing.
 */
export async function identify(baseUrl: string, apiKey: string | undefined, timeoutMs = 3000): Promise<ServerInfo> {
  const info: ServerInfo = { models: [] };
  const local = isLoopback(baseUrl);
  try {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    const res = await fetch(`${baseUrl}/models`, { headers, signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json().catch(() => undefined)) as { data?: Array<{ id?: unknown; owned_by?: unknown }> } | undefined;
    const data = Array.isArray(body?.data) ? body.data : [];
    info.models = data.map((m) => m.id).filter((id): id is string => typeof id === 'string');
    const owners = data.map((m) => m.owned_by).filter((o): o is string => typeof o === 'string');
    // Only a server on this machine is named from its marks: a cloud gateway may relay anything.
    if (local) info.kind = fromListing(owners, res.headers.get('server') ?? '');
  } catch {
    // No listing: recognised by port alone, below.
  }
  if (local && !info.kind) {
    try {
      const url = new URL(baseUrl);
      info.kind = PORTS[url.port];
    } catch {
      // An unparsable URL was reported by its own check.
    }
  }
  return info;
}

/** What each local server needs, for fixes and the README's recipes. */
export const RECIPES: Record<LocalServer, { baseUrl: string; model: string; pull?: string }> = {
  Ollama: { baseUrl: 'http://127.0.0.1:11434/v1', model: 'qwen2.5-coder:7b', pull: 'ollama pull <model>' },
  'llama.cpp': { baseUrl: 'http://127.0.0.1:8080/v1', model: 'the model the server loaded (-m)' },
  vLLM: { baseUrl: 'http://127.0.0.1:8000/v1', model: 'the model vllm serve was started with' },
  'LM Studio': { baseUrl: 'http://127.0.0.1:1234/v1', model: 'the model loaded in LM Studio', pull: 'lms get <model>' },
};
