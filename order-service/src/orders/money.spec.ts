import { decimalOfPrice, formatCents, toCents, toJsonNumber, totalOf } from './money';

describe('money', () => {
  it('adds 3 × 0.10 to exactly 0.30 (floats would give 0.30000000000000004)', () => {
    expect(0.1 * 3).not.toBe(0.3);
    expect(totalOf([{ price: decimalOfPrice(0.1), quantity: 3 }])).toBe('0.30');
    expect(toJsonNumber(totalOf([{ price: '0.10', quantity: 3 }]))).toBe(0.3);
  });

  // 999999.99 × 9999 = 9999999900 − 999999.99 = 9998999900.01 (not 9999989999.01, a figure once
  // quoted for it: the digits are easy to swap, which is why this test spells the arithmetic out).
  it('multiplies the largest line, 9999 × 999999.99, to exactly 9998999900.01', () => {
    const total = totalOf([{ price: decimalOfPrice(999999.99), quantity: 9999 }]);
    expect(total).toBe('9998999900.01');
    expect(JSON.stringify({ total: toJsonNumber(total) })).toBe('{"total":9998999900.01}');
  });

  it('prints a 12-digit total with cents exactly as a JSON number', () => {
    expect(JSON.stringify(toJsonNumber('9999989999.01'))).toBe('9999989999.01');
    expect(JSON.stringify(toJsonNumber('999999999999.99'))).toBe('999999999999.99');
  });

  it('sums the largest possible order (100 such lines) without losing a cent', () => {
    const lines = Array.from({ length: 100 }, () => ({ price: '999999.99', quantity: 9999 }));
    expect(totalOf(lines)).toBe('999899990001.00');
    expect(JSON.stringify(toJsonNumber(totalOf(lines)))).toBe('999899990001');
  });

  it('sums many small prices exactly where a float sum drifts', () => {
    const lines = Array.from({ length: 100 }, () => ({ price: decimalOfPrice(0.1), quantity: 1 }));
    const floatSum = lines.reduce((sum, l) => sum + Number(l.price) * l.quantity, 0);
    expect(floatSum).not.toBe(10);
    expect(totalOf(lines)).toBe('10.00');
  });

  it('sums 100 different lines to the cent', () => {
    // prices 0.01, 0.02, … 1.00, each once: 5050 cents
    const lines = Array.from({ length: 100 }, (_, i) => ({ price: decimalOfPrice((i + 1) / 100), quantity: 1 }));
    expect(totalOf(lines)).toBe('50.50');
  });

  it('keeps the digits of mixed prices and quantities', () => {
    expect(totalOf([
      { price: '19.99', quantity: 2 },
      { price: '0.01', quantity: 9999 },
      { price: '5', quantity: 1 },
    ])).toBe('144.97');
  });

  it('turns API numbers into canonical two-decimal strings', () => {
    expect(decimalOfPrice(12)).toBe('12.00');
    expect(decimalOfPrice(12.3)).toBe('12.30');
    expect(decimalOfPrice(0.07)).toBe('0.07');
    expect(decimalOfPrice(999999.99)).toBe('999999.99');
  });

  it('refuses prices it cannot represent exactly', () => {
    expect(() => decimalOfPrice(Number.NaN)).toThrow(RangeError);
    expect(() => decimalOfPrice(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => decimalOfPrice(1.005)).toThrow(RangeError);
    expect(() => decimalOfPrice(-1)).toThrow(RangeError);
    expect(() => toCents('1e3')).toThrow(RangeError);
    expect(() => toCents('1.234')).toThrow(RangeError);
  });

  it('round-trips cents and decimal strings', () => {
    expect(toCents('0.3')).toBe(30n);
    expect(toCents('12')).toBe(1200n);
    expect(formatCents(30n)).toBe('0.30');
    expect(formatCents(0n)).toBe('0.00');
    expect(formatCents(99999999999999n)).toBe('999999999999.99');
  });
});
