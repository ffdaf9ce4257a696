import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { packInvariants } from '../spec/pack/certify.js';
import { storeInvariants } from '../spec/invariants.js';

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
