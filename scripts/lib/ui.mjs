// Console output for the orchestration scripts: timed steps, colored prefixes, and a compact view of
// pino JSON log lines. Colors only on a terminal (and never when NO_COLOR is set).
const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code) => (s) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : String(s));
export const c = {
  bold: paint('1'),
  dim: paint('2'),
  red: paint('31'),
  green: paint('32'),
  yellow: paint('33'),
  blue: paint('34'),
  magenta: paint('35'),
  cyan: paint('36'),
};

export const say = (msg) => console.log(msg);
export const warn = (msg) => console.log(c.yellow(`! ${msg}`));
export const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Runs one step, printing its title, then its duration and outcome.
 * @template T
 * @param {string} title
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
export async function step(title, fn) {
  const t0 = Date.now();
  say(c.bold(`→ ${title}`));
  try {
    const result = await fn();
    say(`${c.green('✓')} ${title} ${c.dim(`(${seconds(Date.now() - t0)})`)}`);
    return result;
  } catch (err) {
    say(`${c.red('✗')} ${title} ${c.dim(`(${seconds(Date.now() - t0)})`)}: ${err.message}`);
    throw err;
  }
}

const PREFIX_COLORS = [c.cyan, c.magenta, c.blue, c.green, c.yellow];
const assigned = new Map();

/** A stable colored `[name]` tag per name. */
export function tag(name) {
  if (!assigned.has(name)) assigned.set(name, PREFIX_COLORS[assigned.size % PREFIX_COLORS.length]);
  return assigned.get(name)(`[${name}]`);
}

const LEVELS = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/**
 * A pino JSON line as `LEVEL (context) msg [details]`; any other line unchanged.
 * @param {string} line
 */
export function compactLogLine(line) {
  if (!line.startsWith('{')) return line;
  let rec;
  try {
    rec = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof rec !== 'object' || rec === null || !('level' in rec)) return line;
  const level = LEVELS[rec.level] ?? String(rec.level).toUpperCase();
  const colorLevel = rec.level >= 50 ? c.red(level) : rec.level >= 40 ? c.yellow(level) : c.dim(level);
  const parts = [colorLevel.padEnd(useColor ? 14 : 5)];
  if (rec.context) parts.push(c.dim(`(${rec.context})`));
  if (rec.req?.method) parts.push(`${rec.req.method} ${rec.req.url ?? ''}`);
  if (rec.res?.statusCode) parts.push(`→ ${rec.res.statusCode}`);
  if (rec.responseTime !== undefined) parts.push(c.dim(`${rec.responseTime} ms`));
  if (rec.msg) parts.push(rec.msg);
  const err = rec.err ?? rec.error;
  if (err?.message && err.message !== rec.msg) parts.push(c.red(`${err.type ?? 'Error'}: ${err.message}`));
  return parts.join(' ');
}

/**
 * Splits a stream into lines and hands each complete line to `onLine`.
 * @param {NodeJS.ReadableStream} stream
 * @param {(line: string) => void} onLine
 */
export function eachLine(stream, onLine) {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) onLine(line.replace(/\r$/, ''));
  });
  stream.on('end', () => {
    if (buffered) onLine(buffered);
    buffered = '';
  });
}
