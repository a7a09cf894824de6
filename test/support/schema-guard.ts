/**
 * Vitest setup: a test whose fake server saw a request or gave an answer that is not the
 * official OpenAI shape fails, with what was wrong (see openai-schema.ts).
 */
import { afterEach } from 'vitest';
import { drainViolations } from './openai-schema';

afterEach(() => {
  const violations = drainViolations();
  if (violations.length > 0) {
    throw new Error(`not the official OpenAI API shape (test/fixtures/openai-api):\n- ${violations.slice(0, 5).join('\n- ')}`);
  }
});
