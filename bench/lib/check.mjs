// `npm run bench -- --check`: computes the report again from the JSON it was written from and
// compares. Every figure of the summary table is recomputed from the per-run records (and each
// run's percentiles from its latency samples, where it kept them); the rest of the report is
// rendered again and compared line by line. Only bench/findings.md's block (prose, edited by hand
// after a run) is left out. Pure but for runCheck: node built-ins only (`npm test` runs it).
import fs from 'node:fs';
import path from 'node:path';
import { FIGURE_TABLE_TITLE, FINDINGS_END, FINDINGS_START, render } from './report.mjs';
import { percentile } from './stats.mjs';

/**
 * @typedef {{ where: string, report: string, data: string }} Mismatch where: the figure or line
 */

/**
 * @param {{ run: any, before?: any, markdown: string, jsonName?: string }} input
 * @returns {Mismatch[]}
 */
export function checkReport({ run, before, markdown, jsonName = 'latest.json' }) {
  const out = [...checkSamples(run)];
  const expected = render(run, run.mode === 'smoke' ? undefined : before, '', jsonName).split('\n');
  const found = withoutFindings(markdown.split('\n'));
  const expTable = tableRows(expected);
  const foundTable = tableRows(found);
  for (const [label, row] of expTable.rows) {
    const f = foundTable.rows.get(label);
    if (f === undefined) out.push({ where: `figure "${label}"`, report: '(row missing)', data: row });
    else if (f !== row) out.push({ where: `figure "${label}"`, report: f, data: row });
  }
  for (const [label, row] of foundTable.rows) {
    if (!expTable.rows.has(label)) out.push({ where: `figure "${label}"`, report: row, data: '(no such figure in the data)' });
  }
  // Everything else: the same lines in the same order.
  const rest = (lines, t) => lines.map((l, i) => [i, l]).filter(([i]) => !t.indexes.has(i));
  const a = rest(expected, expTable);
  const b = rest(found, foundTable);
  let section = '(top)';
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const e = a[i]?.[1];
    const f = b[i]?.[1];
    if (e?.startsWith('#')) section = e.replace(/^#+\s*/, '');
    if (e !== f) {
      out.push({ where: `line ${b[i] ? b[i][0] + 1 : found.length + 1} (section "${section}")`, report: f ?? '(end of report)', data: e ?? '(nothing more)' });
      break; // the first difference; later lines usually shift with it
    }
  }
  return out;
}

/** Runs whose latency samples were kept: their p50/p99 must be those of the samples. */
function checkSamples(run) {
  const out = [];
  const visit = (node, where) => {
    if (!node || typeof node !== 'object') return;
    const samples = Array.isArray(node.okMs) ? node.okMs : Array.isArray(node.latMs) ? node.latMs : undefined;
    if (samples) {
      const sorted = [...samples].sort((x, y) => x - y);
      for (const p of [50, 99]) {
        const v = percentile(sorted, p);
        const stored = node[`p${p}`];
        if (Number.isFinite(stored) && Math.abs(stored - v) > 0.0015) out.push({ where: `${where}.p${p}`, report: String(stored), data: `${v} (from its ${samples.length} samples)` });
      }
      return;
    }
    for (const [k, v] of Object.entries(node)) if (typeof v === 'object') visit(v, `${where}.${k}`);
  };
  visit(run.sections, 'sections');
  return out;
}

function withoutFindings(lines) {
  const start = lines.indexOf(FINDINGS_START);
  const end = lines.indexOf(FINDINGS_END);
  if (start === -1 || end < start) return lines;
  const after = lines[end + 1] === '' ? end + 2 : end + 1;
  return [...lines.slice(0, start), ...lines.slice(after)];
}

/** Rows of the summary table, by figure (first cell), and the line indexes they occupy. */
function tableRows(lines) {
  const rows = new Map();
  const indexes = new Set();
  const t = lines.indexOf(FIGURE_TABLE_TITLE);
  if (t === -1) return { rows, indexes };
  // Title, blank line, header and separator; then the rows up to the first line not a row.
  for (let i = t + 4; i < lines.length && lines[i].startsWith('| '); i++) {
    rows.set(lines[i].split(' | ')[0].slice(2), lines[i]);
    indexes.add(i);
  }
  return { rows, indexes };
}

/**
 * Checks `dir`/latest.md against `dir`/latest.json (and before.json); prints what differs.
 * @param {string} dir
 * @param {(m: string) => void} log
 * @returns {number} exit code: 0 all recomputed alike, 1 a mismatch or a file missing
 */
export function runCheck(dir, log) {
  const read = (name) => fs.readFileSync(path.join(dir, name), 'utf8');
  let run;
  let markdown;
  try {
    run = JSON.parse(read('latest.json'));
    markdown = read('latest.md');
  } catch (err) {
    log(`check: cannot read the report and its data in ${dir}: ${err.message}`);
    return 1;
  }
  const before = fs.existsSync(path.join(dir, 'before.json')) ? JSON.parse(read('before.json')) : undefined;
  const mismatches = checkReport({ run, before, markdown });
  if (!mismatches.length) {
    log(`check: every figure of ${path.join(dir, 'latest.md')} recomputed from latest.json${before ? ' and before.json' : ''}: all alike`);
    return 0;
  }
  for (const m of mismatches) log(`check: MISMATCH ${m.where}\n    report: ${m.report}\n    data:   ${m.data}`);
  log(`check: ${mismatches.length} mismatch${mismatches.length > 1 ? 'es' : ''}`);
  return 1;
}
