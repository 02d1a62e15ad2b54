// The cluster under fault: the cluster profile (3 Kafka brokers, one PostgreSQL per service, N
// instances of every app, nginx on 3005), started once by global-setup.ts through
// cluster-host.mjs and driven through it: which broker leads what, kill / stop / pause / restart
// a broker or an app instance. The databases and topics are read directly.
import fs from 'node:fs';
import path from 'node:path';
import { SystemDatabases, DbSpecs } from '../../support/system-db';
import { SystemTopics } from '../../support/system-kafka';
import { scenarioRecorder } from '../../support/scenario-report';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const SUITE_DIR = path.join(REPO, '.data', 'cluster-faults');
export const LOG_DIR = path.join(REPO, '.logs', 'cluster-faults');
export const STATE_FILE = path.join(SUITE_DIR, 'host.json');
export const HOST_LOG = path.join(LOG_DIR, 'cluster-host.log');
export const HOST = path.join(__dirname, 'cluster-host.mjs');
/** Instances of every app: two, so each can lose one and keep serving. */
export const REPLICAS = 2;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const record = scenarioRecorder(LOG_DIR, 'cluster');

export interface HostState {
  port: number;
  pid: number;
  entry: string;
  replicas: number;
  env: { KAFKA_BROKER: string };
  dbs: DbSpecs;
  error?: string;
}

export interface Instance {
  name: string;
  app: 'gateway' | 'users' | 'orders' | 'payments';
  instance: number;
  port: number;
  pid?: number;
  alive: boolean;
}

export interface Broker {
  id: number;
  port: number;
  pid?: number;
  alive: boolean;
}

export interface Metadata {
  brokers: number[];
  topics: { name: string; partitions: { partitionId: number; leader: number; replicas: number[]; isr: number[] }[] }[];
}

export function readHostState(): HostState {
  const state = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as HostState;
  if (state.error) throw new Error(`the cluster did not start: ${state.error}`);
  return state;
}

/** Calls one method of the running cluster (see cluster-host.mjs). */
export async function ctl<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
  const { port } = readHostState();
  const res = await fetch(`http://127.0.0.1:${port}/call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ method, args }),
    signal: AbortSignal.timeout(180000),
  });
  const body = (await res.json()) as { result?: T; error?: string };
  if (!res.ok) throw new Error(`cluster.${method}(${args.map((a) => JSON.stringify(a)).join(', ')}): ${body.error}`);
  return body.result as T;
}

export const brokers = () => ctl<Broker[]>('brokers');
export const instances = () => ctl<Instance[]>('instances');
export const metadata = () => ctl<Metadata>('metadata');

/** The databases and topics of the cluster, for counting (one set per test file). */
export function openSystem(): { dbs: SystemDatabases; topics: SystemTopics; entry: string } {
  const state = readHostState();
  return {
    dbs: new SystemDatabases(state.dbs),
    topics: new SystemTopics(state.env.KAFKA_BROKER.split(','), 'cluster-suite'),
    entry: state.entry,
  };
}

/** The gateway instances' own URLs (behind nginx). */
export async function gatewayUrls(): Promise<string[]> {
  return (await instances()).filter((i) => i.app === 'gateway').map((i) => `http://localhost:${i.port}`);
}

/** Partitions whose ISR is short of their replicas, as "topic/partition". */
export async function underReplicated(): Promise<string[]> {
  const { topics } = await metadata();
  return topics.flatMap((t) => t.partitions.filter((p) => p.isr.length < p.replicas.length).map((p) => `${t.name}/${p.partitionId}`));
}

/** How many partitions each broker leads. */
export async function leadership(): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const p of (await metadata()).topics.flatMap((t) => t.partitions)) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
  return counts;
}

/** Makes sure every broker and instance runs before a scenario (an earlier one may have failed half-way). */
export async function ensureWhole(): Promise<void> {
  for (const b of await brokers()) {
    if (!b.alive) await ctl('startBroker', b.id);
    else await ctl('signalBroker', b.id, 'SIGCONT'); // a pause an earlier scenario could not undo
  }
  for (const i of await instances()) if (!i.alive) await ctl('startInstance', i.app, i.instance);
  await ctl('waitInSync', 120000);
}

/** Stops the host and its cluster (global teardown; also by hand: `node -e` not needed, see README). */
export async function stopHost(): Promise<void> {
  let state: HostState;
  try {
    state = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as HostState;
  } catch {
    return;
  }
  if (!state.pid || !alive(state.pid)) return;
  await fetch(`http://127.0.0.1:${state.port}/stop`, { method: 'POST', signal: AbortSignal.timeout(5000) }).catch(() => undefined);
  const t0 = Date.now();
  while (alive(state.pid) && Date.now() - t0 < 120000) await sleep(250);
  if (alive(state.pid)) process.kill(state.pid, 'SIGKILL');
  fs.rmSync(STATE_FILE, { force: true });
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n');
  } catch {
    return '(no log)';
  }
}
