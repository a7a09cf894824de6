import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LspClient } from '../../server/lsp/client';
import { THINKING_DELAY_MS, thinking } from '../../server/features/progress';

/** Only the progress part of the client seam: what began and what ended. */
function recordingClient(): { client: LspClient; events: string[] } {
  const events: string[] = [];
  const client = {
    beginProgress: (title: string) => {
      events.push(`begin ${title}`);
      return { report: () => undefined, done: () => events.push(`done ${title}`) };
    },
  } as unknown as LspClient;
  return { client, events };
}

describe('thinking(): progress only for a model request that lasts', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shows nothing for a request that ends before the delay', () => {
    const { client, events } = recordingClient();
    const p = thinking(client, 'codex: explaining…');
    vi.advanceTimersByTime(THINKING_DELAY_MS - 1);
    p.done();
    vi.advanceTimersByTime(10 * THINKING_DELAY_MS);
    expect(events).toEqual([]);
  });

  it('begins at the delay and ends with the request', () => {
    const { client, events } = recordingClient();
    const p = thinking(client, 'codex: explaining…');
    vi.advanceTimersByTime(THINKING_DELAY_MS);
    expect(events).toEqual(['begin codex: explaining…']);
    p.done();
    expect(events).toEqual(['begin codex: explaining…', 'done codex: explaining…']);
  });
});
