import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The stdio tests spawn the built server; a noisy CI machine needs the slack.
    fileParallelism: true,
  },
});
