/**
 * Plain-text tables for the terminal and for pasting into `bench/README.md`
 * (the output is a Markdown table).
 *
 * @module
 */

/** Thousands-separated integer. */
export const int = (value: number): string => Math.round(value).toLocaleString('en-US');

/** A number with up to `digits` decimals. */
export const num = (value: number, digits = 1): string =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A ratio like `123.4x`, or `n/a`. */
export const ratio = (value: number | undefined): string =>
  value === undefined || !Number.isFinite(value) ? 'n/a' : `${num(value, value >= 100 ? 0 : 1)}x`;

/** Prints a Markdown table with a title line; numeric-looking cells are right-aligned. */
export const printTable = (title: string, headers: readonly string[], rows: readonly (readonly string[])[]): void => {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const numeric = headers.map((_, column) => rows.every((row) => /^[\d,.\-x%<>a-z/ ]*$/i.test(row[column] ?? '') && /\d/.test(row[column] ?? '')));
  const cell = (text: string, column: number): string =>
    numeric[column] === true ? text.padStart(widths[column]!) : text.padEnd(widths[column]!);
  const line = (cells: readonly string[]): string => `| ${cells.map((text, column) => cell(text, column)).join(' | ')} |`;
  console.log(`\n### ${title}\n`);
  console.log(line(headers));
  console.log(`| ${widths.map((width, column) => (numeric[column] === true ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width))).join(' | ')} |`);
  for (const row of rows) console.log(line(row));
};
