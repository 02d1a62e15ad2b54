import { resolve } from 'node:path';
import { GATEWAY } from './gateway';

// newman ships no type declarations: the little of its Node API used here.
interface NewmanSummary {
  run: {
    failures: { error: { name: string; test?: string; message: string }; source?: { name?: string } }[];
    stats: { assertions: { total: number; failed: number }; requests: { total: number; failed: number } };
  };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const newman = require('newman') as {
  run(options: Record<string, unknown>, callback: (err: Error | null, summary: NewmanSummary) => void): void;
};

jest.setTimeout(120000);

const POSTMAN = resolve(__dirname, '../../postman');

describe('the Postman collection (postman/), run by newman', () => {
  it('runs the demo flow through the gateway with every assertion passing', async () => {
    const summary = await new Promise<NewmanSummary>((done, fail) =>
      newman.run(
        {
          collection: resolve(POSTMAN, 'nest-ms.postman_collection.json'),
          environment: resolve(POSTMAN, 'localhost.postman_environment.json'),
          // The shipped environment points at :3005 (npm start); the tests' gateway is elsewhere.
          envVar: [{ key: 'baseUrl', value: GATEWAY }],
          reporters: [],
          timeoutRequest: 10000,
        },
        (err, s) => (err ? fail(err) : done(s)),
      ),
    );
    const failures = summary.run.failures.map(
      (f) => `${f.source?.name ?? '?'}: ${f.error.name}${f.error.test ? ` [${f.error.test}]` : ''}: ${f.error.message}`,
    );
    expect(failures).toEqual([]);
    // Assertions actually ran (a collection whose scripts never run would have no failures either).
    expect(summary.run.stats.assertions.total).toBeGreaterThan(10);
    expect(summary.run.stats.assertions.failed).toBe(0);
    // 7 requests (sign-up, login, one refresh, two orders, a bad one), the two polls possibly repeated.
    expect(summary.run.stats.requests.total).toBeGreaterThanOrEqual(7);
  });
});
