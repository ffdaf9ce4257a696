// The example store in docs/STORES.md is real: extracted, pointed at the
// sources, and certified (store and pack) like any other store.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { certifyPresenceStoreAndPack } from '../spec/pack/certify.js';
import type { PresenceStore } from '../src/index.js';

const root = new URL('..', import.meta.url).pathname;

describe('docs/STORES.md', () => {
  it('its complete example store passes every store and pack invariant', async () => {
    const doc = await readFile(join(root, 'docs/STORES.md'), 'utf8');
    const code = /<!-- example-store -->\n```ts\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(code).toBeDefined();
    const dir = join(root, '.tmp', 'docs-store');
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'example-store.ts');
    const source = relative(dir, join(root, 'src/index.js'));
    await writeFile(file, code!.replace("from '@absolutejs/sync-pack-presence'", `from '${source}'`));
    const loaded = (await import(file)) as { default: () => PresenceStore };
    const report = await certifyPresenceStoreAndPack({ create: loaded.default, numRuns: 200 });
    expect(report.results.filter((result) => result.status !== 'passed')).toEqual([]);
    expect(report.results.length).toBeGreaterThanOrEqual(25);
  });
});
