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

/** The replay as `certifyPresenceStore` options. */
export const replayOptions: ReplayFormatter = (result, numRuns) =>
  `certifyPresenceStore({ create, only: [${JSON.stringify(result.id)}], seed: ${result.seed}, numRuns: ${numRuns}${
    result.path === undefined ? '' : `, path: ${JSON.stringify(result.path)}`
  } })`;

const pad = (cells: readonly string[], widths: readonly number[]): string =>
  cells.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ').trimEnd();

/** The results as a table: id, level, status, runs. */
export const formatTable = (results: readonly InvariantResult[]): string => {
  const header = ['id', 'level', 'status', 'runs'];
  const rows = results.map((result) => [result.id, result.level, result.status.toUpperCase(), String(result.runs)]);
  const widths = header.map((cell, index) => Math.max(cell.length, ...rows.map((row) => row[index]?.length ?? 0)));
  return [pad(header, widths), pad(widths.map((width) => '-'.repeat(width)), widths), ...rows.map((row) => pad(row, widths))].join('\n');
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

/** The whole report: verdict, table, then every failure. */
export const formatReport = (report: CertificationReport, replay: ReplayFormatter = replayOptions): string => {
  const failures = report.results.filter((result) => result.status === 'failed');
  const verdict = report.passed ? 'PASSED' : 'FAILED';
  return [
    `Presence store certification ${verdict}: ${report.results.length - failures.length}/${report.results.length} invariants held (seed ${report.seed}, numRuns ${report.numRuns}, ${report.durationMs} ms)`,
    '',
    formatTable(report.results),
    ...failures.flatMap((result) => ['', formatFailure(result, report.numRuns, replay)]),
  ].join('\n');
};

/** A progress line for an invariant that started or finished. */
export const formatProgress = (event: CertifyProgress): string => {
  const counter = `[${String(event.index + 1).padStart(String(event.total).length)}/${event.total}]`;
  if (event.phase === 'start') return `${counter} ${event.invariant.id} ...`;
  const { result } = event;
  return `${counter} ${result.id} ${result.status} (${result.runs} runs, ${result.durationMs} ms)`;
};
