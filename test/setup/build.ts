// Vitest global setup: build dist/ once, for tests that run the built package
// (under Bun, in child processes, through the CLI), and the live-cursors demo
// (typechecked with the DOM types its browser half needs; its server serves dist/).
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'examples/live-cursors'], { stdio: 'inherit' });
}
