// npm test's counting: Jest reports and node --test TAP summaries, skipped tests included, and the
// summary's last two lines (the very last one is what CI parses).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { failedStep, failuresOf, readJestReport, readNodeTestReport, summaryLines } from './jest-report.mjs';

describe('counting tests', () => {
  it('reads passed, failed and skipped (pending and todo) from a Jest report', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jest-report-')), 'r.json');
    fs.writeFileSync(file, JSON.stringify({ numPassedTests: 7, numFailedTests: 1, numPendingTests: 2, numTodoTests: 1, numTotalTests: 11 }));
    assert.deepEqual(readJestReport('unit', file, 1, 5), { suite: 'unit', passed: 7, failed: 1, skipped: 3, note: '', ms: 5, failures: [] });
  });

  it('names each failed test and each file that did not run, with the head of its message, relative to the root', () => {
    const report = {
      testResults: [
        {
          name: '/repo/e2e/run/a.run-spec.ts',
          assertionResults: [
            { status: 'passed', fullName: 'a works' },
            { status: 'failed', fullName: 'a survives a kill', failureMessages: ['\x1b[31mError: expect(received).toEqual(expected)\x1b[39m\n\n- 200\n+ 503\n    at Object.<anonymous> (run/a.run-spec.ts:9:3)\n    at node_modules/jest-circus/build/utils.js:1:1'] },
          ],
        },
        { name: '/repo/e2e/run/b.run-spec.ts', message: 'Test suite failed to run\n\nSyntaxError: Unexpected token', assertionResults: [] },
        { name: '/repo/e2e/run/c.run-spec.ts', message: '', assertionResults: [{ status: 'passed', fullName: 'c' }] },
      ],
    };
    assert.deepEqual(failuresOf(report, '/repo'), [
      'e2e/run/a.run-spec.ts › a survives a kill\n    Error: expect(received).toEqual(expected)\n    - 200\n    + 503\n        at Object.<anonymous> (run/a.run-spec.ts:9:3)',
      'e2e/run/b.run-spec.ts (did not run)\n    Test suite failed to run\n    SyntaxError: Unexpected token',
    ]);
    const many = { testResults: [{ name: '/repo/x.ts', assertionResults: Array.from({ length: 7 }, (_, i) => ({ status: 'failed', fullName: `t${i}`, failureMessages: ['boom'] })) }] };
    const listed = failuresOf(many, '/repo');
    assert.equal(listed.length, 6);
    assert.equal(listed.at(-1), '… and 2 more');
    const long = failuresOf({ testResults: [{ name: '/repo/x.ts', assertionResults: [{ status: 'failed', fullName: 't', failureMessages: [Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n')] }] }] }, '/repo');
    assert.match(long[0], /line 11\n    … 8 more line\(s\)$/);
  });

  it('reads a node --test TAP summary; no summary is a failure, never a silent 0', () => {
    const tap = '# tests 5\n# suites 1\n# pass 3\n# fail 0\n# cancelled 0\n# skipped 1\n# todo 1\n';
    assert.deepEqual(readNodeTestReport('bench', tap, 0, 1), { suite: 'bench', passed: 3, failed: 0, skipped: 2, note: '', ms: 1, failures: [] });
    const failing = '    not ok 2 - refuses a bad rate\n  ---\nnot ok 1 - bench arguments\n# pass 1\n# fail 1\n';
    assert.deepEqual(readNodeTestReport('bench', failing, 1, 1).failures, ['refuses a bad rate', 'bench arguments']);
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
