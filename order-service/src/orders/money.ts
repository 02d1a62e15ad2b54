/**
 * Money is exact: amounts are decimal strings with two places ("12.30"), arithmetic is done on
 * integer cents as bigint, and numeric(14,2) stores them. A float never holds a total.
 */
const DECIMAL = /^(\d{1,12})(?:\.(\d{1,2}))?$/;

/** "12.3" -> 1230n. Throws on anything that is not a non-negative amount with at most 2 decimals. */
export function toCents(decimal: string): bigint {
  const match = DECIMAL.exec(decimal);
  if (!match) throw new RangeError(`not a money amount: ${JSON.stringify(decimal)}`);
  const [, units, fraction = ''] = match;
  return BigInt(units) * 100n + BigInt(fraction.padEnd(2, '0'));
}

/** 1230n -> "12.30": the canonical form events carry and PostgreSQL returns. */
export function formatCents(cents: bigint): string {
  if (cents < 0n) throw new RangeError('money amounts are never negative here');
  const units = cents / 100n;
  const fraction = (cents % 100n).toString().padStart(2, '0');
  return `${units}.${fraction}`;
}

/**
 * A price as the API receives it (a JSON number already validated to 0.01..999999.99 with at most
 * 2 decimals) to its exact decimal string. In that range Number#toString is the shortest decimal
 * that round-trips, never exponent notation, so it is exactly the digits the client sent.
 */
export function decimalOfPrice(price: number): string {
  if (!Number.isFinite(price)) throw new RangeError(`price must be finite, got ${price}`);
  return formatCents(toCents(price.toString()));
}

export interface PricedLine {
  readonly price: string;
  readonly quantity: number;
}

/** Sum of price × quantity over the lines, exact. */
export function totalOf(lines: readonly PricedLine[]): string {
  const cents = lines.reduce((sum, line) => sum + toCents(line.price) * BigInt(line.quantity), 0n);
  return formatCents(cents);
}

/**
 * A decimal string as the JSON number the API answers with. numeric(14,2) holds at most
 * 14 significant digits, fewer than the 15 a double always keeps, so Number() lands on the double
 * whose shortest representation is exactly this decimal: 9999989999.01 prints as 9999989999.01.
 */
export function toJsonNumber(decimal: string): number {
  toCents(decimal);
  return Number(decimal);
}
