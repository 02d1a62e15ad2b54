// SIGKILL the broker that leads most partitions under steady load, then start it again: requests
// fail at most within the producers' retry window (and the client's retries with the same
// idempotency key make them whole), nothing is lost or doubled, and the broker rejoins the ISR of
// every partition.
import { until } from '../support/scenario-report';
import { brokers, ctl, leadership, metadata, sleep } from './support/cluster';
import { allProblems, runScenario } from './support/scenario';

jest.setTimeout(420000); // each wait inside is bounded on its own (ISR 120 s, settling 2 x 120 s) and names what it waited for

/** kafkajs retries a send for up to ~30 s (its retry budget); requests failing later are a fault. */
const RETRY_WINDOW_MS = 30000;
const DOWN_MS = 10000;

describe('cluster: the busiest partition leader dies', () => {
  it('SIGKILL of the broker leading most partitions, then a restart: 0 lost, 0 doubled, back in every ISR', async () => {
    const result = await runScenario({
      name: 'broker-kill',
      maxMs: 60000,
      fault: async () => {
        const victim = await ctl<number>('busiestLeader');
        const led = (await leadership()).get(victim) ?? 0;
        const faultAt = Date.now();
        await ctl('signalBroker', victim, 'SIGKILL');
        const moved = await until('leaders moved off the killed broker', leadership, (m) => !m.has(victim), 60000, 200);
        await sleep(Math.max(0, DOWN_MS - (Date.now() - faultAt)));
        const restartAt = Date.now();
        await ctl('startBroker', victim);
        const answering = Date.now() - restartAt;
        const inSync = await until(
          `broker ${victim} back in the ISR of every partition`,
          metadata,
          (m) => m.topics.every((t) => t.partitions.every((p) => p.isr.length === p.replicas.length && (!p.replicas.includes(victim) || p.isr.includes(victim)))),
          120000,
          500,
        );
        return {
          faultAt,
          summary: `broker ${victim} (led ${led} partitions) SIGKILLed, its leaders moved in ${(moved.ms / 1000).toFixed(1)} s; restarted after ${(DOWN_MS / 1000).toFixed(0)} s, answering in ${(answering / 1000).toFixed(1)} s, in every ISR ${(inSync.ms / 1000).toFixed(1)} s later`,
          figures: { victim, partitionsLed: led, leadersMovedMs: moved.ms, restartAnswerMs: answering, rejoinedIsrMs: inSync.ms },
        };
      },
    });
    expect(allProblems(result.problems)).toEqual([]);
    expect(result.load.gaveUp.map((o) => `${o.kind} ${o.ref}: ${o.final}`)).toEqual([]);
    const late = result.load.failedAttempts.filter((a) => a.status !== 429 && (a.at < result.faultAt || a.at > result.faultAt + RETRY_WINDOW_MS));
    expect(late.map((a) => `${a.status || a.error} at +${a.at - result.faultAt} ms`)).toEqual([]);
    expect((await brokers()).every((b) => b.alive)).toBe(true);
  });
});
