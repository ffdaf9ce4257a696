import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { packInvariants } from '../spec/pack/certify.js';
import { storeInvariants } from '../spec/invariants.js';
import { brokenPacks } from './pack-zoo/broken-packs.js';
import { zoo } from './zoo/index.js';

const heading = /^### ([A-Z]+(?:-[A-Z]+)+) \((MUST|SHOULD)\)$/gm;

describe('docs/SPEC.md', () => {
  it('has one section per invariant of the catalog, with the same id and level, and no other', async () => {
    const text = await readFile(new URL('../docs/SPEC.md', import.meta.url), 'utf8');
    const documented = [...text.matchAll(heading)].map(([, id, level]) => `${id} ${level}`);
    const catalog = [...storeInvariants, ...packInvariants].map((invariant) => `${invariant.id} ${invariant.level}`);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual([...catalog].sort());
  });
});

describe('README.md', () => {
  it('counts the invariants and the zoo as the catalogs do', async () => {
    const text = (await readFile(new URL('../README.md', import.meta.url), 'utf8')).replace(/\s+/g, ' ');
    expect(text).toContain(`${storeInvariants.length} store invariants and ${packInvariants.length} for the pack`);
    expect(text).toContain(`A zoo of ${zoo.length} deliberately broken stores and ${brokenPacks.length} broken packs`);
  });
});
