// SIGSTOP one broker for longer than the consumers' session timeout (30 s) and the brokers' own
// (9 s), then SIGCONT: its sockets stay open while it answers nothing, the harshest way to lose a
// node. No effect may be doubled, nothing lost.
import { until } from '../support/scenario-report';
import { ctl, metadata, sleep } from './support/cluster';
import { allProblems, runScenario } from './support/scenario';

jest.setTimeout(420000); // each wait inside is bounded on its own (ISR 120 s, settling 2 x 120 s) and names what it waited for

const PAUSE_MS = 35000;

describe('cluster: a broker stalls', () => {
  it(`SIGSTOP of a broker for ${PAUSE_MS / 1000} s, then SIGCONT: no doubled effect, nothing lost`, async () => {
    let paused: number | undefined;
    try {
      const result = await runScenario({
        name: 'broker-pause',
        maxMs: 75000,
        fault: async () => {
          paused = await ctl<number>('busiestLeader');
          const faultAt = Date.now();
          await ctl('signalBroker', paused, 'SIGSTOP');
          await sleep(PAUSE_MS);
          await ctl('signalBroker', paused, 'SIGCONT');
          const resumedAt = Date.now();
          const victim = paused;
          paused = undefined;
          const inSync = await until(
            `broker ${victim} back in every ISR`,
            metadata,
            (m) => m.topics.every((t) => t.partitions.every((p) => p.isr.length === p.replicas.length)),
            120000,
            500,
          );
          return {
            faultAt,
            summary: `broker ${victim} paused (SIGSTOP) ${(PAUSE_MS / 1000).toFixed(0)} s, then resumed; every ISR whole ${(inSync.ms / 1000).toFixed(1)} s after SIGCONT`,
            figures: { victim, pauseMs: PAUSE_MS, isrWholeAfterResumeMs: inSync.ms, resumedAt },
          };
        },
      });
      expect(result.problems.doubled).toEqual([]);
      expect(allProblems(result.problems)).toEqual([]);
      expect(result.load.gaveUp.map((o) => `${o.kind} ${o.ref}: ${o.final}`)).toEqual([]);
    } finally {
      if (paused !== undefined) await ctl('signalBroker', paused, 'SIGCONT').catch(() => undefined);
    }
  });
});
