// Prints a Markdown summary of Stryker JSON reports: counts, score over
// covered mutants, and every surviving or uncovered mutant with its place.
// Usage: node mutation/summarize.mjs reports/mutation/store.json [...]
import { readFileSync } from 'node:fs';

for (const file of process.argv.slice(2)) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const counts = {};
  const open = [];
  for (const [path, { source, mutants }] of Object.entries(report.files)) {
    const lines = source.split('\n');
    for (const mutant of mutants) {
      counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
      if (mutant.status !== 'Survived' && mutant.status !== 'NoCoverage') continue;
      const { line, column } = mutant.location.start;
      const original = lines[line - 1].trim().slice(0, 90);
      open.push(`| ${mutant.status} | \`${path}:${line}:${column}\` | ${mutant.mutatorName} | \`${(mutant.replacement ?? '').replace(/\s+/g, ' ').slice(0, 60)}\` | \`${original}\` |`);
    }
  }
  const killed = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
  const covered = killed + (counts.Survived ?? 0);
  const total = covered + (counts.NoCoverage ?? 0);
  console.log(`## ${file}\n`);
  console.log(`killed ${counts.Killed ?? 0}, timeout ${counts.Timeout ?? 0}, survived ${counts.Survived ?? 0}, no coverage ${counts.NoCoverage ?? 0}, errors ${(counts.CompileError ?? 0) + (counts.RuntimeError ?? 0)}`);
  console.log(`score ${((100 * killed) / total).toFixed(2)} % of all, ${((100 * killed) / covered).toFixed(2)} % of covered\n`);
  console.log('| status | where | mutator | replacement | original line |\n| --- | --- | --- | --- | --- |');
  for (const row of open) console.log(row);
  console.log();
}
