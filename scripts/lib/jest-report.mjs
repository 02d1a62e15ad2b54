// Counting what a Jest run did, from its --json --outputFile report and its exit code. A run that
// did not produce a report, or failed without failing a test (a suite that did not compile, a
// globalSetup that threw, no tests found), counts as at least one failure: never a silent 0.
import fs from 'node:fs';

/**
 * @typedef {{ suite: string, passed: number, failed: number, note: string, ms: number }} SuiteResult
 */

/**
 * @param {string} suite display name
 * @param {string} reportFile
 * @param {number | string} exitCode
 * @param {number} ms duration
 * @returns {SuiteResult}
 */
export function readJestReport(suite, reportFile, exitCode, ms) {
  let report;
  try {
    report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  } catch {
    return { suite, passed: 0, failed: 1, note: `no Jest report (exit ${exitCode}): the suite did not run`, ms };
  }
  const passed = report.numPassedTests ?? 0;
  // A test file that failed to run (compile error, import error) has no failed *test*.
  let failed = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
  const notes = [];
  if (report.numRuntimeErrorTestSuites) notes.push(`${report.numRuntimeErrorTestSuites} test file(s) failed to run`);
  if ((report.numTotalTests ?? 0) === 0 && failed === 0) {
    failed = 1;
    notes.push('no tests ran');
  }
  if (exitCode !== 0 && failed === 0) {
    failed = 1;
    notes.push(`jest exited ${exitCode} with no failed test (setup, teardown or open handles?)`);
  }
  return { suite, passed, failed, note: notes.join('; '), ms };
}

/**
 * A step that is not a Jest run but failed (a build, an app that never got ready).
 * @param {string} suite
 * @param {string} note
 * @returns {SuiteResult}
 */
export const failedStep = (suite, note) => ({ suite, passed: 0, failed: 1, note, ms: 0 });
