/**
 * Totals the per-package vitest JSON reports into one closing line, `N passed, N failed`, so a
 * whole-workspace run ends with a single verdict. `--reset` clears old reports before a run.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '..', '.test-results');

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTests: number;
}

if (process.argv.includes('--reset')) {
  await rm(dir, { recursive: true, force: true });
} else {
  let files: string[];
  try {
    files = (await readdir(dir)).filter(f => f.endsWith('.json'));
  } catch {
    files = [];
  }
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const file of files) {
    const report = JSON.parse(await readFile(join(dir, file), 'utf8')) as VitestReport;
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
    process.stdout.write(
      `  ${file.replace(/\.json$/, '')}: ${report.numPassedTests} passed, ${report.numFailedTests} failed\n`,
    );
  }
  if (files.length === 0 || passed + failed === 0) {
    process.stdout.write('no tests ran\n');
    process.exitCode = 1;
  } else {
    process.stdout.write(
      `Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
    );
    if (failed > 0) process.exitCode = 1;
  }
}
