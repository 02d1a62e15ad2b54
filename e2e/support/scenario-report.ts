// What each scenario of a suite measured: one line on the console per scenario, and every figure
// in <logDir>/measurements.json for the run's report. Shared by the fault and cluster suites.
import fs from 'node:fs';
import path from 'node:path';

export type ScenarioRecord = (scenario: string, summary: string, figures: Record<string, unknown>) => void;

export function scenarioRecorder(logDir: string, label: string): ScenarioRecord {
  const file = path.join(logDir, 'measurements.json');
  return (scenario, summary, figures) => {
    // process.stdout directly: Jest's console adds a stack location to every line.
    process.stdout.write(`\n[${label}] ${scenario}: ${summary}\n`);
    fs.mkdirSync(logDir, { recursive: true });
    let all: Record<string, unknown> = {};
    try {
      all = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      // first scenario of the run
    }
    all[scenario] = { at: new Date().toISOString(), summary, ...figures };
    fs.writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
  };
}

export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Polls until `done(value)`; returns the value and how long it took (throws with the last value on timeout). */
export async function until<T>(what: string, probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number, intervalMs = 250): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  let last: string = 'no answer yet';
  for (;;) {
    try {
      const value = await probe();
      if (done(value)) return { value, ms: Date.now() - t0 };
      last = JSON.stringify(value)?.slice(0, 500) ?? String(value);
    } catch (err) {
      last = `error: ${(err as Error).message}`;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not reached within ${timeoutMs / 1000} s (last: ${last})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
