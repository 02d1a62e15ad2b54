// npm test's counting: Jest reports and node --test TAP summaries, skipped tests included, and the
// summary's last two lines (the very last one is what CI parses).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { failedStep, readJestReport, readNodeTestReport, summaryLines } from './jest-report.mjs';

describe('counting tests', () => {
  it('reads passed, failed and skipped (pending and todo) from a Jest report', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jest-report-')), 'r.json');
    fs.writeFileSync(file, JSON.stringify({ numPassedTests: 7, numFailedTests: 1, numPendingTests: 2, numTodoTests: 1, numTotalTests: 11 }));
    assert.deepEqual(readJestReport('unit', file, 1, 5), { suite: 'unit', passed: 7, failed: 1, skipped: 3, note: '', ms: 5 });
  });

  it('reads a node --test TAP summary; no summary is a failure, never a silent 0', () => {
    const tap = '# tests 5\n# suites 1\n# pass 3\n# fail 0\n# cancelled 0\n# skipped 1\n# todo 1\n';
    assert.deepEqual(readNodeTestReport('bench', tap, 0, 1), { suite: 'bench', passed: 3, failed: 0, skipped: 2, note: '', ms: 1 });
    assert.equal(readNodeTestReport('bench', '', 1, 1).failed, 1);
    assert.equal(readNodeTestReport('bench', '# pass 3\n# fail 0\n', 1, 1).failed, 1);
  });

  it('ends with the line with skipped tests, then exactly `N passed, N failed`', () => {
    const lines = summaryLines([
      { suite: 'a', passed: 3, failed: 0, skipped: 2, note: '', ms: 0 },
      failedStep('b', 'build failed'),
    ]);
    assert.deepEqual(lines, ['3 passed, 1 failed, 2 skipped', '3 passed, 1 failed']);
  });
});
