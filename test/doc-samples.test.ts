// The sample reports in README.md and docs/STORES.md are real output: this
// test runs the command they show and compares, timings aside. After a
// change to the report, regenerate them: UPDATE_DOC_SAMPLES=1 npx vitest run test/doc-samples.test.ts
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCertifyCli } from '../spec/cli.js';
import { sweepStrict } from './zoo/sweep-strict.js';

const root = new URL('..', import.meta.url).pathname;
const update = process.env.UPDATE_DOC_SAMPLES === '1';

/** The command the samples show, on a store whose sweep uses `<` instead of `<=`. */
const ARGV = ['./broken-store.mjs', '--seed', '7'];

let output: Promise<string> | undefined;
/** The command's output, run once for every sample. */
const realOutput = (): Promise<string> => (output ??= run());

const run = async (): Promise<string> => {
  let stdout = '';
  await runCertifyCli(ARGV, {
    stdout: (text) => (stdout += text),
    stderr: () => undefined,
    cwd: '/project',
    load: async () => ({ default: sweepStrict.create }),
  });
  return `$ npx presence-certify ${ARGV.join(' ')}\n${stdout}`;
};

/** Timings differ run to run: the ms column and every "N ms". */
const withoutTimings = (text: string): string =>
  text.replace(/\b\d+ ms\b/g, 'N ms').replace(/^([A-Z]+(?:-[A-Z]+)+\s+(?:MUST|SHOULD)\s+(?:PASSED|FAILED)\s+\d+\s+)\d+$/gm, '$1N');

/** The failure section of a report: from the first failed invariant to the end. */
const failureSection = (report: string): string => report.slice(report.search(/^\S+ \((MUST|SHOULD)\) FAILED: /m));

const samples = [
  { file: 'docs/STORES.md', marker: 'sample-report', excerpt: (report: string) => report },
  { file: 'README.md', marker: 'sample-failure', excerpt: failureSection },
];

describe('sample reports in the docs', () => {
  it.each(samples)('$file shows the real output of the command ($marker)', async ({ file, marker, excerpt }) => {
    const path = join(root, file);
    const doc = await readFile(path, 'utf8');
    const block = new RegExp(`(<!-- ${marker} -->\\n\`\`\`\\n)([\\s\\S]*?)(\`\`\`)`);
    expect(block.test(doc), `${file} has a <!-- ${marker} --> code block`).toBe(true);
    const real = excerpt(await realOutput());
    if (update) await writeFile(path, doc.replace(block, (_all, open: string, _old, close: string) => `${open}${real}${close}`));
    const shown = block.exec(update ? await readFile(path, 'utf8') : doc)![2]!;
    expect(withoutTimings(shown)).toBe(withoutTimings(real));
    expect(shown).toMatch(/^ {2}error: STORE-SWEEP violated/m);
    expect(shown).toMatch(/^ {2}seed: 7, path: \S+$/m);
    expect(shown).toMatch(/^ {2}replay: npx presence-certify \.\/broken-store\.mjs --only STORE-SWEEP --seed 7 --runs 400 --path \S+$/m);
  });
});
