// Vitest global setup: build dist/ once, for tests that run the built package
// (under Bun, in child processes, through the CLI).
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
