import { defineConfig } from 'vitest/config';
import { postgresRunnable, redisRunnable } from './test/servers/availability.js';

// The coverage gate covers what could run here: a store whose server is
// missing (its suites skip, loudly) leaves the gate too. Under CI=true
// nothing skips, so nothing leaves it.
const ci = process.env.CI === 'true';
const uncounted = [
  ...(ci || redisRunnable() ? [] : ['src/stores/redis.ts', 'src/stores/redis/**']),
  ...(ci || postgresRunnable() ? [] : ['src/stores/postgres.ts', 'src/stores/postgres/**']),
];
if (uncounted.length > 0) console.warn(`SKIPPED from coverage (no server to run their suites): ${uncounted.join(', ')}`);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bun/**', 'node_modules/**'],
    globalSetup: ['test/setup/build.ts'],
    // The JSON report lets .ci/run print a plain 'N passed, N failed' line.
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: uncounted,
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 95, branches: 95 },
    },
  },
});
