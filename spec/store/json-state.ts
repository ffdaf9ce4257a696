/**
 * Arbitrary presence states for round-trip checks: nested JSON, unicode
 * including astral characters, negative and fractional numbers, empty
 * containers and payloads around 8 KiB.
 *
 * @module
 */
import fc from 'fast-check';
import type { JsonValue, PresenceState } from '../../src/row.js';

/**
 * Any code point, astral ones included, except NUL: PostgreSQL `jsonb` cannot
 * hold `\u0000`, and the kit must not fail a store for its database's rule.
 */
const text = fc.string({ unit: 'binary', maxLength: 12 }).filter((value) => !value.includes('\u0000'));

/** Object keys; `__proto__` is left out since JavaScript object literals treat it specially. */
const key = text.filter((value) => value !== '__proto__');

/** Numbers JSON carries exactly (`-0` is not one: JSON writes it as `0`). */
const number = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !Object.is(value, -0)),
);

const leaf: fc.Arbitrary<JsonValue> = fc.oneof(text, number, fc.boolean(), fc.constant(null));

const { value: json } = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
}));

/** States every store gets wrong sooner or later. */
export const edgeStates: readonly PresenceState[] = [
  {},
  { nested: { empty: {}, list: [], deep: [[{}], { a: [null] }] } },
  { emoji: '\u{1F600}\u{1D11E}', mixed: 'caf\u00e9 cafe\u0301 \u4f60\u597d', escapes: '"\\\n\t\u0001' },
  { negative: -42, float: 3.141592653589793, tiny: 5e-324, big: 1.7976931348623157e308, int: -9007199254740991 },
  { blob: 'x'.repeat(8192) },
  // Unicode-heavy states just under the pack's default maxStateBytes (8 192 UTF-8 bytes of JSON):
  // three and four bytes per character, where a column sized in characters or in UCS-2 overflows.
  { u: '\u4f60'.repeat(2_700) },
  { u: '\u{1F600}'.repeat(2_040) },
  { items: Array.from({ length: 200 }, (_, index) => ({ index, name: `member-${index}`, on: index % 2 === 0 })) },
];

/** A random or an edge-case state. */
export const jsonState: fc.Arbitrary<PresenceState> = fc.oneof(
  fc.constantFrom(...edgeStates),
  fc.dictionary(key, json, { maxKeys: 6, noNullPrototype: true }),
);
