import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from './repo';

export const APP_DIRS = ['api-gateway', 'user-service', 'order-service', 'payment-service'];

type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

/** The series names Prometheus stores for a metric of a type (a histogram is three series). */
export function seriesNames(name: string, type: MetricType): string[] {
  if (type === 'histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (type === 'summary') return [name, `${name}_sum`, `${name}_count`];
  return [name];
}

function sourceFiles(dir: string, skip: (path: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (skip(path)) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path, skip);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * Metrics our code registers with prom-client: `new Counter|Gauge|Histogram|Summary({ name: ... })`
 * whose name is a string literal or a `const` of the same file.
 */
export function metricsDefinedInCode(): Map<string, MetricType> {
  const files = [
    ...sourceFiles(repoPath('shared'), () => false),
    ...APP_DIRS.flatMap((app) => sourceFiles(repoPath(app, 'src'), (p) => p === repoPath(app, 'src', 'shared'))),
    // The event console's dead-letter metrics (scraped as service="event-console").
    ...sourceFiles(repoPath('infra', 'console', 'src'), (p) => p === repoPath('infra', 'console', 'src', 'shared')),
  ];
  const found = new Map<string, MetricType>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes('prom-client')) continue;
    const constants = new Map([...text.matchAll(/const\s+(\w+)\s*=\s*'([a-zA-Z_:][\w:]*)'/g)].map((m) => [m[1], m[2]]));
    for (const m of text.matchAll(/new\s+(Counter|Gauge|Histogram|Summary)\s*(?:<[^>]*>)?\(\s*\{[^}]*?\bname:\s*(?:'([^']+)'|(\w+))/g)) {
      const name = m[2] ?? constants.get(m[3]);
      if (!name) throw new Error(`${file}: cannot resolve the metric name ${m[3]}`);
      found.set(name, m[1].toLowerCase() as MetricType);
    }
  }
  return found;
}

/** prom-client's default metrics (process_*, nodejs_*), read from the package the apps install, minus those we drop. */
export function defaultMetrics(): Map<string, MetricType> {
  const dir = APP_DIRS.map((app) => repoPath(app, 'node_modules', 'prom-client', 'lib', 'metrics')).find((d) => existsSync(d));
  if (!dir) throw new Error('prom-client is not installed in any app (run npm install in an app first)');
  const found = new Map<string, MetricType>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    const type: MetricType = text.includes('new Histogram(') ? 'histogram' : text.includes('new Counter(') ? 'counter' : 'gauge';
    for (const m of text.matchAll(/'((?:process|nodejs)_[a-z0-9_]+[a-z0-9])'/g)) found.set(m[1], type);
  }
  const metricsTs = readFileSync(repoPath('shared', 'observability', 'metrics.ts'), 'utf8');
  const dropped = /DROPPED_DEFAULT_METRICS\s*=\s*\[([^\]]*)\]/.exec(metricsTs)?.[1] ?? '';
  for (const m of dropped.matchAll(/'([^']+)'/g)) found.delete(m[1]);
  return found;
}

/** Every series name the apps can expose, by the code: our metrics, prom-client's defaults, and `up`. */
export function exportedSeries(): Set<string> {
  const all = new Set<string>(['up']);
  for (const [name, type] of [...metricsDefinedInCode(), ...defaultMetrics()]) for (const s of seriesNames(name, type)) all.add(s);
  return all;
}

/** Series names of a Prometheus text exposition (from `# TYPE` lines, so unobserved metrics count too). */
export function seriesInExposition(text: string): Set<string> {
  const all = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const type = (['counter', 'gauge', 'histogram', 'summary'].includes(m[2]) ? m[2] : 'gauge') as MetricType;
    for (const s of seriesNames(m[1], type)) all.add(s);
  }
  return all;
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan', 'atan2']);

/**
 * The metric names a PromQL expression selects. Grafana variables are replaced first; strings,
 * label matchers, ranges and grouping clauses are removed; what remains that is not a function
 * call, a keyword or a number is a metric name.
 */
export function metricNamesIn(expr: string): string[] {
  const cleaned = expr
    .replace(/\$\{[^}]*\}|\$__\w+|\$\w+/g, 'x')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of cleaned.matchAll(/(?<![\w.])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    if (m[2] || KEYWORDS.has(m[1].toLowerCase())) continue;
    names.add(m[1]);
  }
  return [...names];
}
