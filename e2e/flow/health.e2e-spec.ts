import { appsUnderTest } from '../support/apps';

const apps = appsUnderTest();

describe('every app of the running system', () => {
  it('is covered by this run', () => {
    expect(apps.length).toBeGreaterThan(0);
  });

  describe.each(apps.map((a) => [a.name, a.url] as const))('%s (%s)', (_name, url) => {
    it('answers GET /health/live with 200', async () => {
      const res = await fetch(`${url}/health/live`);
      expect(res.status).toBe(200);
    });

    it('answers GET /health/ready with 200 (its database and Kafka are reachable)', async () => {
      const res = await fetch(`${url}/health/ready`);
      expect({ status: res.status, body: await res.text() }).toEqual({ status: 200, body: expect.any(String) });
    });
  });
});
