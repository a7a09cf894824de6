import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { FakeOpenAI } from './fake-openai';
import { spawnServer, type LspTestClient, type SpawnOptions } from './lsp-client';

export const TEST_KEY = 'test-key-abcdef123456';

export interface Session {
  /** The fake model server of this test file (reset before each test). */
  readonly fake: FakeOpenAI;
  /** Spawns the built server against the fake, with a test key; disposed after each test. */
  start(opts?: SpawnOptions & { withKey?: boolean }): Promise<LspTestClient>;
  /** Registers a client made some other way, to be disposed after the test. */
  track(c: LspTestClient): LspTestClient;
}

/** One fake model server for a test file: started before its tests, reset before each, closed after. */
export function useFake(): { readonly fake: FakeOpenAI } {
  let fake: FakeOpenAI | undefined;
  beforeAll(async () => {
    fake = await FakeOpenAI.start();
  });
  afterAll(async () => {
    await fake?.close();
  });
  beforeEach(() => fake?.reset());
  return {
    get fake(): FakeOpenAI {
      if (!fake) throw new Error('the fake model server is not started (use it inside a test)');
      return fake;
    },
  };
}

/**
 * One fake model server per test file and the servers each test starts, cleaned up by
 * vitest hooks. `defaults` are the settings every started server gets unless a test passes
 * its own.
 */
export function useSession(defaults: Record<string, unknown>): Session {
  const shared = useFake();
  const clients: LspTestClient[] = [];
  afterEach(async () => {
    // Newest first, one at a time: a server started later may use an earlier one's cache folder
    // (a restart test), and must have exited before that folder is removed (else ENOTEMPTY).
    for (const c of clients.splice(0).reverse()) await c.dispose();
  });
  const session: Session = {
    get fake(): FakeOpenAI {
      return shared.fake;
    },
    async start(opts = {}) {
      const { withKey = true, ...rest } = opts;
      const c = await spawnServer({
        ...rest,
        env: { ...(withKey ? { CODEX_LSP_API_KEY: TEST_KEY } : {}), CODEX_LSP_BASE_URL: session.fake.baseUrl, ...rest.env },
        settings: rest.settings ?? defaults,
      });
      clients.push(c);
      return c;
    },
    track(c) {
      clients.push(c);
      return c;
    },
  };
  return session;
}
