import { sameSecret } from './api-key';

describe('sameSecret', () => {
  const key = 'k3J9x2Qp7LmZ4vB8nR1tY6wE5sA0dF3g';

  it('accepts the exact key only', () => {
    expect(sameSecret(key, key)).toBe(true);
    expect(sameSecret(`${key} `, key)).toBe(false);
    expect(sameSecret(key.slice(0, -1), key)).toBe(false);
    expect(sameSecret(key.toUpperCase(), key)).toBe(false);
  });

  it('refuses whatever is not a string, and never matches an empty expected key', () => {
    expect(sameSecret(undefined, key)).toBe(false);
    expect(sameSecret([key], key)).toBe(false);
    expect(sameSecret('', '')).toBe(false);
  });

  it('copes with any length without throwing (timingSafeEqual alone throws on a length mismatch)', () => {
    expect(() => sameSecret('x'.repeat(10_000), key)).not.toThrow();
    expect(sameSecret('x', key)).toBe(false);
  });
});
