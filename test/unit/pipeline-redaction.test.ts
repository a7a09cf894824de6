import { describe, expect, it } from 'vitest';
import { ModelGateway, type EndpointConfig } from '../../server/model/gateway';
import { UsageTracker } from '../../server/model/usage';
import { Pipeline, type PipelineRequest } from '../../server/pipeline/pipeline';
import { Privacy } from '../../server/privacy/privacy';
import { Logger } from '../../server/util/log';
import { useFake } from '../support/session';

const session = useFake();

// Built from pieces so that this file does not trip secret scanners.
const GH = 'ghp_' + 'Zq8Lm3Vn7Rt2Wx6Yp1Kd5Hs9Jf4Bc0Ga7Ne3';
const PASSWORD = 'Tr0ub4dor' + '&3xK9!';

function pipelineOnFake(): { pipeline: Pipeline; logs: string[] } {
  const cfg: EndpointConfig = {
    apiKey: 'test-key-0123456789',
    keySource: 'CODEX_LSP_API_KEY',
    baseUrl: session.fake.baseUrl,
    model: 'codex-mini',
    api: 'auto',
    timeoutMs: 5000,
    fallbackModels: [],
  };
  const logs: string[] = [];
  const log = new Logger((level, m) => logs.push(`${level}: ${m}`));
  const usage = new UsageTracker();
  const gateway = new ModelGateway(() => cfg, log, usage, { report: () => undefined });
  const privacy = new Privacy(log);
  const pipeline = new Pipeline(gateway, undefined, usage, log, { endpoint: () => cfg, cacheEnabled: () => true, redactor: privacy }, 2);
  return { pipeline, logs };
}

describe('redaction by construction', () => {
  it('a feature that hands raw text with secrets to the pipeline cannot get them to the endpoint', async () => {
    const { pipeline, logs } = pipelineOnFake();
    // A new feature that forgot about privacy altogether: raw secrets in both parts of the prompt.
    const req: PipelineRequest = {
      feature: 'brand-new-feature',
      promptVersion: 'new-1',
      instructions: `Use the token ${GH} when you answer.`,
      input: `const client = connect({ token: "${GH}" });\nconst password = "${PASSWORD}";\n`,
      maxOutputTokens: 100,
    };
    await pipeline.run(req);
    expect(session.fake.requests).toHaveLength(1);
    const sent = session.fake.requests[0]!.raw;
    expect(sent).not.toContain(GH);
    expect(sent).not.toContain(PASSWORD);
    expect(sent).toContain('const client = connect');
    expect(sent).toContain('[REDACTED:');
    // The log says that it happened, never what.
    expect(logs.join('\n')).toMatch(/redacted \d+ secret/);
    expect(logs.join('\n')).not.toContain(GH);
  });

  it('computes the cache key from the redacted prompt, so the raw and the redacted request share one answer', async () => {
    const { pipeline } = pipelineOnFake();
    const raw: PipelineRequest = { feature: 'hover', promptVersion: 'h', instructions: 'Explain.', input: `const t = "${GH}";`, maxOutputTokens: 50 };
    const redacted: PipelineRequest = { ...raw, input: 'const t = "[REDACTED:github-token]";' };
    expect(pipeline.keyOf(raw)).toBe(pipeline.keyOf(redacted));
    await pipeline.run(raw);
    const again = await pipeline.peek(redacted);
    expect(again?.cached).toBe('memory');
    expect(session.fake.requests).toHaveLength(1);
  });
});
