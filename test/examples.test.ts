// Every `@example` block in the public entry points is real code: extracted,
// its package imports pointed at the sources, and type-checked with the
// project's compiler options.
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const scratch = join(root, '.tmp', 'examples');
const entries: Record<string, string> = {
  '@absolutejs/sync-pack-presence': 'src/index.ts',
  '@absolutejs/sync-pack-presence/spec': 'spec/index.ts',
  '@absolutejs/sync-pack-presence/spec/vitest': 'spec/vitest.ts',
  '@absolutejs/sync-pack-presence/spec/advanced': 'spec/advanced.ts',
  '@absolutejs/sync-pack-presence/stores/redis': 'src/stores/redis.ts',
  '@absolutejs/sync-pack-presence/stores/postgres': 'src/stores/postgres.ts',
  '@absolutejs/sync-pack-presence/client': 'src/client/index.ts',
};

const sources = async (dir: string): Promise<string[]> => {
  const found: string[] = [];
  for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await sources(path)));
    else if (path.endsWith('.ts')) found.push(path);
  }
  return found;
};

/** The ```ts blocks of every @example tag in a file, with comment stars removed. */
const examplesOf = (text: string): string[] =>
  [...text.matchAll(/@example\s*\n((?:\s*\*.*\n)+?)\s*\*\s*```\s*\n/g)]
    .map(([, body]) => body!.replace(/^\s*\* ?/gm, ''))
    .filter((body) => body.startsWith('```ts'))
    .map((body) => body.replace(/^```ts\n/, ''));

describe('@example blocks', () => {
  it('exist on the main entry points and all type-check against the sources', async () => {
    await rm(scratch, { recursive: true, force: true });
    await mkdir(scratch, { recursive: true });
    const files: string[] = [];
    const origins = new Map<string, string>();
    for (const file of [...(await sources('src')), ...(await sources('spec'))]) {
      for (const [index, example] of examplesOf(await readFile(join(root, file), 'utf8')).entries()) {
        const path = join(scratch, `${file.replaceAll('/', '_')}_${index}.ts`);
        const code = example.replace(/from '(@absolutejs\/sync-pack-presence[^']*)'/g, (match, specifier: string) =>
          entries[specifier] === undefined ? match : `from '${relative(scratch, join(root, entries[specifier]!)).replace(/\.ts$/, '.js')}'`,
        );
        await writeFile(path, `${code}\nexport {};\n`);
        files.push(path);
        origins.set(path, file);
      }
    }
    const documented = new Set(origins.values());
    for (const entry of ['src/index.ts', 'src/pack.ts', 'spec/certify.ts', 'spec/pack/certify.ts', 'spec/vitest.ts']) expect(documented).toContain(entry);
    const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
    const program = ts.createProgram(files, { ...config.options, noEmit: true });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file !== undefined && files.includes(diagnostic.file.fileName))
      .map((diagnostic) => `${origins.get(diagnostic.file!.fileName)}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
    expect(problems).toEqual([]);
  });
});
