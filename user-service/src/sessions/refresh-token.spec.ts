import { digestOf, newRefreshToken } from './refresh-token';

describe('refresh tokens', () => {
  it('are 256 random bits, URL-safe, never the same twice', () => {
    const tokens = Array.from({ length: 1000 }, newRefreshToken);
    for (const t of tokens) expect(t).toMatch(/^[\w-]{43}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('are kept as a SHA-256 digest that says nothing of the token', () => {
    const token = newRefreshToken();
    const digest = digestOf(token);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).toBe(digestOf(token));
    expect(digest).not.toContain(token);
    expect(digestOf(newRefreshToken())).not.toBe(digest);
  });
});
