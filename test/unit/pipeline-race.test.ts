import { describe, expect, it } from 'vitest';
import type { ModelAnswer, ModelGateway } from '../../server/model/gateway';
import { UsageTracker } from '../../server/model/usage';
import type { CachedAnswer, DiskCache } from '../../server/pipeline/disk-cache';
import { Pipeline, type PipelineRequest } from '../../server/pipeline/pipeline';
import { Logger } from '../../server/util/log';

/** A promise and the function that settles it: the test decides when each step happens. */
function gate<T = void>(): { promise: Promise<T>; open: (v: T) => void } {
  let open: (v: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (open = r));
  return { promise, open };
}

const REQ: PipelineRequest = { feature: 'review', promptVersion: 't-1', instructions: 'Review.', input: 'const a = 1;', maxOutputTokens: 100 };

describe('the pipeline never pays twice for one prompt', () => {
  it('a request whose disk lookup is slow finds the answer that an identical request stored meanwhile', async () => {
    let calls = 0;
    const answerGate = gate();
    const gateway = {
      complete: async (): Promise<ModelAnswer> => {
        calls++;
        await answerGate.promise;
        return { text: 'the answer', model: 'codex-mini', usage: { input: 1, cachedInput: 0, output: 1 }, api: 'responses' };
      },
    } as unknown as ModelGateway;
    // The first lookup misses at once; the second one is held until the first request is answered.
    const slowLookup = gate<undefined>();
    let lookups = 0;
    const disk = {
      get: (): Promise<CachedAnswer | undefined> => (++lookups === 1 ? Promise.resolve(undefined) : slowLookup.promise),
      set: async () => undefined,
      delete: async () => undefined,
      flush: async () => undefined,
    } as unknown as DiskCache;
    const pipeline = new Pipeline(
      gateway,
      disk,
      new UsageTracker(),
      new Logger(() => undefined),
      { endpoint: () => ({ baseUrl: 'http://127.0.0.1:9/v1', model: 'codex-mini' }), cacheEnabled: () => true, redactor: { redact: (t) => t } },
      4,
    );
    const first = pipeline.run(REQ);
    await new Promise((r) => setImmediate(r));
    const second = pipeline.run(REQ);
    await new Promise((r) => setImmediate(r));
    answerGate.open();
    expect((await first).text).toBe('the answer');
    // The first is answered and stored in memory; now the second's disk lookup misses.
    slowLookup.open(undefined);
    const again = await second;
    expect(again).toMatchObject({ text: 'the answer', cached: 'memory' });
    expect(calls).toBe(1);
  });
});
