// The API reference is organised by import path, and each path's surface is
// deliberate: these tests hold package.json, typedoc.json and the entry
// modules to each other.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as advanced from '../spec/advanced.js';
import * as kit from '../spec/index.js';

const root = new URL('..', import.meta.url).pathname;
const json = async <T>(file: string): Promise<T> => JSON.parse(await readFile(join(root, file), 'utf8')) as T;

/** Every import path of the package with the source file behind it. */
const importPaths = async (): Promise<[string, string][]> => {
  const pkg = await json<{ name: string; exports: Record<string, string | { import: string }> }>('package.json');
  return Object.entries(pkg.exports)
    .filter(([, target]) => typeof target === 'object')
    .map(([subpath, target]) => [
      subpath === '.' ? pkg.name : `${pkg.name}${subpath.slice(1)}`,
      (target as { import: string }).import.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts'),
    ]);
};

describe('the API reference', () => {
  it('has one TypeDoc entry per import path, named by that path, with the README as its landing page', async () => {
    const typedoc = await json<{ entryPoints: string[]; readme: string }>('typedoc.json');
    const paths = await importPaths();
    expect([...typedoc.entryPoints].sort()).toEqual(paths.map(([, source]) => source).sort());
    expect(typedoc.readme).toBe('README.md');
    for (const [importPath, source] of paths) {
      const text = await readFile(join(root, source), 'utf8');
      expect(text, source).toMatch(new RegExp(`^ \\* @module ${importPath.replaceAll('/', '\\/')}$`, 'm'));
    }
  });

  it('keeps the certifiers\' internals out of /spec and in /spec/advanced', () => {
    const internals = ['PackModel', 'PresenceModel', 'deepEqual', 'sameRows', 'runProperty', 'runCertification', 'storeChecks', 'packChecks', 'allChecks', 'storeFamilies', 'packFamilies', 'catalogOf', 'checksOf', 'findInvariant', 'lastWriterWins', 'UnauthorizedError', 'SchemaError', 'RetriesExhaustedError', 'PackMissingDependencyError', 'PackTableConflictError', 'exponentialBackoff', 'isSerializationFailure', 'runCertifyCli', 'CLI_USAGE'];
    for (const name of internals) {
      expect(Object.keys(kit), `/spec exports ${name}`).not.toContain(name);
      expect(Object.keys(advanced), `/spec/advanced exports ${name}`).toContain(name);
    }
    expect(Object.keys(kit).sort()).toEqual(
      [
        'certifyPresenceStore', 'certifyPresencePack', 'certifyPresenceStoreAndPack', 'DEFAULT_NUM_RUNS', 'storeInvariants', 'packInvariants', 'STORE', 'PACK',
        'formatFailure', 'formatProgress', 'formatReport', 'formatTable', 'replayOptions', 'definePresenceStoreTests', 'definePresencePackTests', 'invariantTestName',
        'withFaults', 'createReferenceEngine', 'createInMemoryClusterBus', 'createPresenceHarness', 'createManualClock',
      ].sort(),
    );
  });

  it('marks createInMemoryPresenceStore deprecated, naming its replacement', async () => {
    const file = join(root, 'src/stores/memory.ts');
    const source = ts.createSourceFile(file, await readFile(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    let deprecated: string | undefined;
    source.forEachChild((node) => {
      if (!ts.isVariableStatement(node)) return;
      if (!node.declarationList.declarations.some((declaration) => declaration.name.getText() === 'createInMemoryPresenceStore')) return;
      const tag = ts.getJSDocTags(node.declarationList.declarations[0]!).find((candidate) => candidate.tagName.text === 'deprecated');
      deprecated = typeof tag?.comment === 'string' ? tag.comment : ts.getTextOfJSDocComment(tag?.comment);
    });
    expect(deprecated).toMatch(/createMemoryPresenceStore/);
  });
});
