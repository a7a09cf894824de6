import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Every request sent to, and every answer given by, a fake OpenAI server must be the official shape.
    setupFiles: ['test/support/schema-guard.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The stdio tests spawn the built server; a noisy CI machine needs the slack.
    fileParallelism: true,
  },
});
