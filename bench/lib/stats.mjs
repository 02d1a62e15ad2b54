// Small statistics helpers: percentiles of sorted samples, medians of repeated runs, rounding.

/**
 * Nearest-rank percentile of an ascending array (NaN when empty).
 * @param {ArrayLike<number>} sorted
 * @param {number} p 0..100
 */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Median of numbers (NaN entries ignored; NaN when none). */
export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Median of one field over runs. */
export const medianOf = (runs, pick) => median(runs.map(pick));

/** Rounds to `digits` significant decimals for the report (keeps integers readable). */
export function round(x, digits = 2) {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export const sortAsc = (arr) => [...arr].sort((a, b) => a - b);
