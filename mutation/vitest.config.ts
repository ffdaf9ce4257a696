// Vitest config of the mutation runs: the kit files only, nothing of npm test.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['mutation/*.kit.ts'],
    testTimeout: 120_000,
  },
});
