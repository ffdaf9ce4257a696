/**
 * Reading a certification: the table, the failures with their replay, and
 * progress lines. Plain text, so the CLI, the vitest binding and any other
 * runner print the same thing.
 *
 * @module
 */
import type { CertificationReport, CertifyProgress, InvariantResult } from './certify.js';

/**
 * Turns a failed result into the line that replays it. A replay needs the
 * seed, the path and the same `numRuns`: fast-check sizes its inputs by it.
 */
export type ReplayFormatter = (result: InvariantResult, numRuns: number) => string;

/** The replay as options of `certifyPresenceStore` (of `certifyPresencePack` for a `PACK-*` id). */
export const replayOptions: ReplayFormatter = (result, numRuns) =>
  `${result.id.startsWith('PACK-') ? 'certifyPresencePack' : 'certifyPresenceStore'}({ create, only: [${JSON.stringify(result.id)}], seed: ${result.seed}, numRuns: ${numRuns}${
    result.path === undefined ? '' : `, path: ${JSON.stringify(result.path)}`
  } })`;

/** What the `runs` and `level` columns mean, printed under every table. */
export const REPORT_LEGEND: readonly string[] = [
  "runs: numRuns times the invariant's weight, 0.2 to 2 (a costly run, such as a pack command sequence or two stores, runs fewer times; a race runs twice as often); a failed invariant counts its runs up to the one that failed.",
  'level: MUST, a failure fails certification (exit 1); SHOULD, a failure is reported and certification still passes.',
];

const HEADER = ['id', 'level', 'status', 'runs', 'ms'] as const;

/** Column widths of a table whose id column fits `ids`. */
export type TableWidths = readonly number[];

/** The widths of a table listing `ids` (the other columns have room for any result). */
export const tableWidths = (ids: readonly string[]): TableWidths => [Math.max(HEADER[0].length, ...ids.map((id) => id.length)), 6, 6, 5, 6];

const pad = (cells: readonly string[], widths: TableWidths): string =>
  cells.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ').trimEnd();

/** The header line and the rule under it. */
export const formatTableHeader = (widths: TableWidths): string => [pad(HEADER, widths), pad(widths.map((width) => '-'.repeat(width)), widths)].join('\n');

/** One result as a table row: id, level, status, runs, milliseconds. */
export const formatTableRow = (result: InvariantResult, widths: TableWidths): string =>
  pad([result.id, result.level, result.status.toUpperCase(), String(result.runs), String(result.durationMs)], widths);

/** The results as a table: id, level, status, runs, milliseconds. */
export const formatTable = (results: readonly InvariantResult[]): string => {
  const widths = tableWidths(results.map((result) => result.id));
  return [formatTableHeader(widths), ...results.map((result) => formatTableRow(result, widths))].join('\n');
};

/** One failure in full: what broke, the shrunk counterexample, and how to replay it (with the `numRuns` it ran with). */
export const formatFailure = (result: InvariantResult, numRuns: number, replay: ReplayFormatter = replayOptions): string =>
  [
    `${result.id} (${result.level}) FAILED: ${result.title}`,
    ...(result.error === undefined ? [] : [`  error: ${result.error}`]),
    ...(result.counterexample === undefined ? [] : [`  counterexample: ${result.counterexample}`]),
    `  seed: ${result.seed}${result.path === undefined ? '' : `, path: ${result.path}`}`,
    `  replay: ${replay(result, numRuns)}`,
  ].join('\n');

/** The verdict line: how many invariants held, with the seed, `numRuns` and time; `subject` names what was certified. */
export const formatVerdict = (report: CertificationReport, subject?: string): string => {
  const held = report.results.filter((result) => result.status === 'passed').length;
  return `Presence store certification ${report.passed ? 'PASSED' : 'FAILED'}${subject === undefined ? '' : ` for ${subject}`}: ${held}/${report.results.length} invariants held (seed ${report.seed}, numRuns ${report.numRuns}, ${report.durationMs} ms)`;
};

/** What follows the table: the legend, then every failure. */
export const formatFailures = (report: CertificationReport, replay: ReplayFormatter = replayOptions): string =>
  [
    ...REPORT_LEGEND,
    ...report.results.filter((result) => result.status === 'failed').flatMap((result) => ['', formatFailure(result, report.numRuns, replay)]),
  ].join('\n');

/** The whole report: verdict, table, legend, then every failure. */
export const formatReport = (report: CertificationReport, replay: ReplayFormatter = replayOptions): string =>
  [formatVerdict(report), '', formatTable(report.results), '', formatFailures(report, replay)].join('\n');

/** A progress line for an invariant that started or finished. */
export const formatProgress = (event: CertifyProgress): string => {
  const counter = `[${String(event.index + 1).padStart(String(event.total).length)}/${event.total}]`;
  if (event.phase === 'start') return `${counter} ${event.invariant.id} ...`;
  const { result } = event;
  return `${counter} ${result.id} ${result.status} (${result.runs} runs, ${result.durationMs} ms)`;
};
