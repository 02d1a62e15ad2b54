// The frame every cluster scenario shares: a whole cluster, steady load through 3005 while the
// fault happens, then the end-state counts and a report line with what was measured.
import { randomUUID } from 'node:crypto';
import { secs } from '../../support/scenario-report';
import { describeEnd, dlqTotal, EndState, Problems, settleAndCount } from './checks';
import { ensureWhole, openSystem, record } from './cluster';
import { Load, LoadOptions, LoadSummary, Op, statusCounts, succeeded } from './load';

export interface ScenarioResult {
  load: LoadSummary;
  state: EndState;
  problems: Problems;
  /** When the fault began (ms since epoch), for failure windows. */
  faultAt: number;
  figures: Record<string, unknown>;
}

export interface ScenarioSpec {
  name: string;
  /** Operations per second through 3005 and for how long at most (the fault decides the rest). */
  ratePerSec?: number;
  maxMs: number;
  cancelEvery?: number;
  /** Operations done before the fault starts: it strikes a system visibly under load. */
  warmupOps?: number;
  /**
   * The fault, while the load runs; resolves with what it measured (a summary for the report and
   * figures) and when it struck. The load stops when it resolves (or at maxMs, if sooner).
   */
  fault: (load: Load, tag: string) => Promise<{ faultAt: number; summary: string; figures: Record<string, unknown>; extraOps?: Op[] }>;
}

export async function runScenario(spec: ScenarioSpec): Promise<ScenarioResult> {
  const sys = openSystem();
  try {
    await ensureWhole();
    const dlqBefore = await dlqTotal(sys);
    const tag = `clu-${spec.name}-${randomUUID().slice(0, 6)}`;
    const opts: LoadOptions = { bases: [sys.entry], tag, ratePerSec: spec.ratePerSec ?? 6, maxOps: 100000, maxMs: spec.maxMs, cancelEvery: spec.cancelEvery };
    const load = new Load(opts).start();
    const warm = spec.warmupOps ?? 8;
    while (load.progress.done < warm) await new Promise((r) => setTimeout(r, 100));
    const fault = await spec.fault(load, tag);
    const steady = await load.stop();
    // Operations the fault sent itself (the retry storm) are counted with the steady load's.
    const summary = fault.extraOps ? merge(steady, fault.extraOps) : steady;
    const { state, problems } = await settleAndCount(sys, summary, tag, dlqBefore);
    // Ops are retried: a failed attempt followed by a 2xx is a request the client made whole.
    const failed = summary.failedAttempts.filter((a) => a.status !== 429);
    const lastFailure = failed.length ? Math.max(...failed.map((a) => a.at)) - fault.faultAt : 0;
    const figures = {
      ...fault.figures,
      operations: summary.ops.length,
      requests: summary.requests,
      failedRequests: failed.length,
      throttled: summary.throttled,
      lastFailureAfterFaultMs: lastFailure,
      gaveUp: summary.gaveUp.length,
      statuses: statusCounts(summary),
      loadSeconds: (summary.endedAt - summary.startedAt) / 1000,
      ...state,
      problems,
    };
    record(
      spec.name,
      `${fault.summary}; load ${summary.ops.length} operations / ${summary.requests} requests over ${secs(summary.endedAt - summary.startedAt)} ` +
        `(${statusCounts(summary)}), ${failed.length} failed request(s)${failed.length ? ` (last ${secs(lastFailure)} after the fault)` : ''}, ` +
        `${summary.gaveUp.length} given up; ${describeEnd(state)}; lost ${problems.lost.length}, doubled ${problems.doubled.length}, ` +
        `backwards ${problems.backwards.length}, out of order ${problems.outOfOrder.length}`,
      figures,
    );
    return { load: summary, state, problems, faultAt: fault.faultAt, figures };
  } finally {
    await sys.dbs.close();
    await sys.topics.close();
  }
}

function merge(a: LoadSummary, ops: Op[]): LoadSummary {
  const attempts = ops.flatMap((o) => o.attempts.map((at) => ({ o, at })));
  return {
    ops: [...a.ops, ...ops],
    requests: a.requests + attempts.length,
    failedAttempts: [...a.failedAttempts, ...attempts.filter(({ at }) => at.status < 200 || at.status > 299).map(({ at }) => at)],
    throttled: a.throttled + attempts.filter(({ at }) => at.status === 429).length,
    gaveUp: [...a.gaveUp, ...ops.filter((o) => !succeeded(o))],
    startedAt: a.startedAt,
    endedAt: a.endedAt,
  };
}

/** Problems as one readable list (empty when the scenario held). */
export const allProblems = (p: Problems) => [...p.lost, ...p.doubled, ...p.backwards, ...p.outOfOrder, ...p.other].slice(0, 30);
