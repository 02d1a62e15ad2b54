// Counting what a Jest run did, from its --json --outputFile report and its exit code. A run that
// did not produce a report, or failed without failing a test (a suite that did not compile, a
// globalSetup that threw, no tests found), counts as at least one failure: never a silent 0.
import fs from 'node:fs';

/**
 * @typedef {{ suite: string, passed: number, failed: number, skipped: number, note: string, ms: number, failures?: string[] }} SuiteResult
 *   skipped: tests skipped or left as todo (it.skip, it.todo, a describe skipped by a condition)
 *   failures: each failed test (or test file that did not run) with the head of its message
 */

// A failure's message in the summary: enough to say what broke, where the full output may be cut.
const MESSAGE_LINES = 12;
const MAX_FAILURES = 5;

const plain = (text) => String(text).replace(/\x1b\[[0-9;]*m/g, '');
const capped = (failures) => (failures.length > MAX_FAILURES ? [...failures.slice(0, MAX_FAILURES), `… and ${failures.length - MAX_FAILURES} more`] : failures);

/** The first lines of a message, without the stack frames of Jest and Node internals. */
function head(message) {
  const lines = plain(message)
    .split('\n')
    .filter((l) => l.trim() && !/^\s+at .*(node_modules|node:internal|\(<anonymous>\))/.test(l));
  const kept = lines.slice(0, MESSAGE_LINES).map((l) => `    ${l.trimEnd()}`);
  if (lines.length > MESSAGE_LINES) kept.push(`    … ${lines.length - MESSAGE_LINES} more line(s)`);
  return kept.join('\n');
}

/**
 * What failed in a Jest report: the file and full name of each failed test, and test files that
 * did not run, each with the head of its message.
 * @param {{ testResults?: { name: string, message?: string, assertionResults?: { status: string, fullName: string, failureMessages?: string[] }[] }[] }} report
 * @param {string} [root] file names are shown relative to it
 * @returns {string[]}
 */
export function failuresOf(report, root = process.cwd()) {
  const failures = [];
  for (const file of report.testResults ?? []) {
    const name = file.name.startsWith(`${root}/`) ? file.name.slice(root.length + 1) : file.name;
    const failed = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const a of failed) failures.push(`${name} › ${a.fullName}\n${head((a.failureMessages ?? []).join('\n'))}`);
    if (failed.length === 0 && file.message) failures.push(`${name} (did not run)\n${head(file.message)}`);
  }
  return capped(failures);
}

/**
 * @param {string} suite display name
 * @param {string} reportFile
 * @param {number | string} exitCode
 * @param {number} ms duration
 * @returns {SuiteResult}
 */
export function readJestReport(suite, reportFile, exitCode, ms, root = process.cwd()) {
  let report;
  try {
    report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  } catch {
    return { suite, passed: 0, failed: 1, skipped: 0, note: `no Jest report (exit ${exitCode}): the suite did not run`, ms };
  }
  const passed = report.numPassedTests ?? 0;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
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
  return { suite, passed, failed, skipped, note: notes.join('; '), ms, failures: failuresOf(report, root) };
}

/**
 * A step that is not a Jest run but failed (a build, an app that never got ready).
 * @param {string} suite
 * @param {string} note
 * @returns {SuiteResult}
 */
export const failedStep = (suite, note) => ({ suite, passed: 0, failed: 1, skipped: 0, note, ms: 0 });

/**
 * Counts of a `node --test` run from its TAP output's closing lines (# pass, # fail, # skipped,
 * # todo, # cancelled). No summary, or a non-zero exit without a failed test, counts as a failure.
 * @param {string} suite
 * @param {string} tap
 * @param {number | string} exitCode
 * @param {number} ms
 * @returns {SuiteResult}
 */
export function readNodeTestReport(suite, tap, exitCode, ms) {
  const count = (name) => {
    const m = new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap);
    return m ? Number(m[1]) : undefined;
  };
  const passed = count('pass');
  if (passed === undefined) return { suite, passed: 0, failed: 1, skipped: 0, note: `no test summary (exit ${exitCode}): the tests did not run`, ms };
  let failed = (count('fail') ?? 0) + (count('cancelled') ?? 0);
  const skipped = (count('skipped') ?? 0) + (count('todo') ?? 0);
  const notes = [];
  if (passed + failed + skipped === 0) {
    failed = 1;
    notes.push('no tests ran');
  }
  if (exitCode !== 0 && failed === 0) {
    failed = 1;
    notes.push(`node --test exited ${exitCode} with no failed test`);
  }
  // Failed tests by name (their suites fail with them and are named too); the log holds the why.
  const failures = capped([...tap.matchAll(/^\s*not ok \d+ - (.*)$/gm)].map((m) => m[1]));
  return { suite, passed, failed, skipped, note: notes.join('; '), ms, failures };
}

/**
 * The summary's last two lines: the counts with skipped tests, then the line CI parses, which must
 * stay exactly `N passed, N failed` and last.
 * @param {SuiteResult[]} results
 * @returns {[string, string]}
 */
export function summaryLines(results) {
  const sum = (k) => results.reduce((n, r) => n + (r[k] ?? 0), 0);
  return [`${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`, `${sum('passed')} passed, ${sum('failed')} failed`];
}
