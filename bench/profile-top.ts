/**
 * Prints the heaviest frames of a `.cpuprofile` by self time (and the share
 * of GC), so a profile can be read without a browser.
 *
 * @module
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}

const file = process.argv[2];
if (file === undefined) throw new Error('usage: profile-top <file.cpuprofile> [count]');
const count = Number(process.argv[3] ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
const byFrame = new Map<string, number>();
let total = 0;
for (const node of profile.nodes) {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url === '' ? '' : ` ${url.replace(/^.*\/dist\//, '')}:${lineNumber + 1}`;
  const key = `${functionName || '(anonymous)'}${where}`;
  byFrame.set(key, (byFrame.get(key) ?? 0) + node.hitCount);
  total += node.hitCount;
}
const top = [...byFrame].sort((a, b) => b[1] - a[1]).slice(0, count);
for (const [frame, hits] of top) console.log(`${((hits * 100) / total).toFixed(1).padStart(5)}%  ${frame}`);
