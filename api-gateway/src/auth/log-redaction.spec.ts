import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACTED_PATHS } from '../shared/observability/logger.module';

const SECRETS = {
  password: 'SecurePass123!',
  token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
  apiKey: 'k3J9x2Qp7LmZ4vB8nR1tY6wE5sA0dF3g',
};

/** A pino logger configured with the apps' redaction, writing into an array. */
function capturingLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink), lines };
}

describe('log redaction (the paths every app gives pino)', () => {
  it.each([
    ['request headers', { req: { headers: { authorization: `Bearer ${SECRETS.token}`, 'x-api-key': SECRETS.apiKey, cookie: `s=${SECRETS.token}` } } }],
    ['a login body', { body: { email: 'a@example.com', password: SECRETS.password } }],
    ['a password at the top', { password: SECRETS.password }],
    ['a token answer', { reply: { accessToken: SECRETS.token, token: SECRETS.token } }],
    ['an API key in an object', { upstream: { apiKey: SECRETS.apiKey } }],
  ])('hides secrets in %s', (_case, obj) => {
    const { logger, lines } = capturingLogger();

    logger.info(obj, 'something happened');

    expect(lines).toHaveLength(1);
    for (const secret of Object.values(SECRETS)) expect(lines[0]).not.toContain(secret);
    expect(lines[0]).toContain('[redacted]');
  });
});
