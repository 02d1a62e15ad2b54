// A rolling restart of every app under load, one instance at a time (SIGTERM, wait until it is
// ready again, next): the client sees no answer but 2xx (429 allowed), and nothing is lost.
import { ctl, instances } from './support/cluster';
import { allProblems, runScenario } from './support/scenario';

jest.setTimeout(300000);

const ORDER = ['users', 'orders', 'payments', 'gateway'] as const;

describe('cluster: rolling restart', () => {
  it('every instance of every app restarted in turn under load: only 2xx (or 429) at the client, nothing lost', async () => {
    const result = await runScenario({
      name: 'rolling-restart',
      maxMs: 180000,
      fault: async () => {
        const all = await instances();
        const faultAt = Date.now();
        const steps: { name: string; stopMs: number; readyMs: number }[] = [];
        for (const app of ORDER) {
          for (const i of all.filter((x) => x.app === app)) {
            const t0 = Date.now();
            await ctl('stopInstance', i.app, i.instance);
            const t1 = Date.now();
            await ctl('startInstance', i.app, i.instance);
            steps.push({ name: i.name, stopMs: t1 - t0, readyMs: Date.now() - t1 });
          }
        }
        const slowest = steps.reduce((a, b) => (b.stopMs + b.readyMs > a.stopMs + a.readyMs ? b : a));
        return {
          faultAt,
          summary: `${steps.length} instances restarted one at a time in ${((Date.now() - faultAt) / 1000).toFixed(1)} s (slowest ${slowest.name}: stop ${(slowest.stopMs / 1000).toFixed(1)} s, ready ${(slowest.readyMs / 1000).toFixed(1)} s)`,
          figures: { steps, rollMs: Date.now() - faultAt },
        };
      },
    });
    // Not a single answer other than 2xx and 429 at the client: no retry was needed.
    const non2xx = result.load.failedAttempts.filter((a) => a.status !== 429);
    expect(non2xx.map((a) => `${a.status || a.error} via ${a.base} at +${a.at - result.faultAt} ms${a.message ? ` (${a.message})` : ''}`)).toEqual([]);
    expect(allProblems(result.problems)).toEqual([]);
    expect(result.load.gaveUp).toEqual([]);
  });
});
