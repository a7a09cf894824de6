import { describe, expect, it } from 'vitest';
import { isModelGone, isModelRetired, isWrongEndpoint, supportedValues, type Failure } from '../../server/model/failure';

const f = (status: number, message: string, extra: Partial<Failure> = {}): Failure => ({ status, message, network: false, aborted: false, ...extra });

describe('what a failure says about the model', () => {
  it('a retired or unknown model is gone; a parameter that is deprecated is not', () => {
    expect(isModelGone(f(404, 'The model `codex-mini-latest` does not exist or you do not have access to it.', { code: 'model_not_found' }))).toBe(true);
    expect(isModelGone(f(404, 'The model `text-davinci-003` has been deprecated, learn more here: https://platform.openai.com/docs/deprecations'))).toBe(true);
    expect(isModelRetired(f(400, 'This model was retired on 2026-02-12.'))).toBe(true);
    expect(isModelGone(f(400, "The 'max_tokens' parameter is deprecated; use 'max_completion_tokens'"))).toBe(false);
    expect(isModelGone(f(400, "The 'functions' parameter for this model is deprecated"), 'gpt-5')).toBe(false);
    // Named: about this model, not another one.
    expect(isModelRetired(f(404, 'The model `codex-mini` has been deprecated'), 'codex-mini')).toBe(true);
    expect(isModelRetired(f(404, 'The model `text-davinci-003` has been deprecated'), 'codex-mini')).toBe(false);
    // A gateway with no channel right now may recover; an exhausted quota is not the model's fault.
    expect(isModelGone(f(503, 'no available channel for model codex-mini under group default', { code: 'model_not_found' }))).toBe(false);
    expect(isModelGone(f(429, 'You exceeded your current quota', { code: 'insufficient_quota' }))).toBe(false);
    // A retired model's 404 is about the model, not a missing endpoint.
    expect(isWrongEndpoint(f(404, 'The model `codex-mini` has been deprecated'))).toBe(false);
  });

  it('reads the supported values a 400 names for a parameter', () => {
    const openai = f(400, "Unsupported value: 'minimal' is not supported with the 'gpt-5-codex' model. Supported values are: 'low', 'medium', and 'high'.", {
      param: 'reasoning.effort',
      code: 'unsupported_value',
    });
    expect(supportedValues(openai, 'reasoning.effort')).toEqual(['low', 'medium', 'high']);
    // Chat's spelling, named only in the message.
    expect(supportedValues(f(400, 'Invalid reasoning_effort "low". Supported values are: "medium", "high"'), 'reasoning.effort')).toEqual(['medium', 'high']);
    expect(supportedValues(f(400, 'Unsupported value for temperature. Supported values are: 1'), 'reasoning.effort')).toBeUndefined();
    expect(supportedValues(f(500, "reasoning.effort: Supported values are: 'low'"), 'reasoning.effort')).toBeUndefined();
  });
});
