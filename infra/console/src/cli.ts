#!/usr/bin/env node
// `npm run dlq -- list|show|redrive`: the console's dead-letter operations from a terminal, straight
// against Kafka (the console need not run). Reads every topic to its end first, so the redrive
// counts it checks are complete.
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { userInfo, hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { deadLetterView } from './api/views';
import { ConfigError, loadConsoleConfig } from './config/console-config';
import { composeConsole, ConsoleCore } from './core/console-core';
import { DeadLetterFilter, RedriveResult } from './dead-letters/redrive.types';
import { filterProblem } from './messages/message-filter';

const USAGE = `usage: npm run dlq -- <command> [options]
  list                      dead letters, newest first
  show <topic/partition/offset>
  redrive <id>...           send these back to their original topic
  redrive --all | <filter>  send back every dead letter matching the filter (--all: no filter)
filters: --topic <x.dlq> --partition <n> --key <k> --event-id <id> --request-id <id> --trace-id <32 hex>
         --from <ISO time> --to <ISO time> --reason <text>
options: --dry-run (show what would be sent)  --again (also those redriven before)  --json
environment: KAFKA_BROKER (default localhost:9094)`;

const CATCH_UP_MS = 30000;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      topic: { type: 'string' },
      partition: { type: 'string' },
      key: { type: 'string' },
      'event-id': { type: 'string' },
      'request-id': { type: 'string' },
      'trace-id': { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      reason: { type: 'string' },
      all: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      again: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const [command, ...ids] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (!['list', 'show', 'redrive'].includes(command)) throw new UsageError(`unknown command "${command}": list, show or redrive`);
  const filter = filterOf(values);
  checkUsage(command, ids, filter, values);
  const core = composeConsole(loadConsoleConfig({ ...process.env, NODE_ENV: 'development', EVENT_CONSOLE: 'true', AUTH_ENABLED: 'false' }), 'cli');
  try {
    core.index.start();
    await core.index.caughtUp(CATCH_UP_MS);
    return await run(core, command, ids, filter, values);
  } catch (error) {
    if (!(error instanceof Error) || !/^KafkaJS/.test(error.name)) throw error;
    throw new Error(`Kafka at ${core.config.kafka.brokers} (KAFKA_BROKER): ${error.message}`);
  } finally {
    await core.close();
  }
}

type Flags = { all: boolean; 'dry-run': boolean; again: boolean; json: boolean };

async function run(core: ConsoleCore, command: string, ids: string[], filter: DeadLetterFilter, flags: Flags): Promise<number> {
  const print = (value: unknown, text: () => string) => console.log(flags.json ? JSON.stringify(value, null, 2) : text());
  if (command === 'list') {
    const list = core.deadLetters.list(filter).map(deadLetterView);
    print(list, () => list.map((d) => `${d.id}  from ${d.originalTopic}/${d.originalPartition}/${d.originalOffset}  redriven ${d.redriveCount}x  ${d.reason ?? ''}`).join('\n') || 'no dead letters');
    return 0;
  }
  if (command === 'show') {
    const d = deadLetterView(core.deadLetters.one(ids[0]));
    print(d, () => JSON.stringify(d, null, 2));
    return 0;
  }
  const by = `cli ${userInfo().username}@${hostname()}`;
  const result = await core.deadLetters.redrive({ ids: ids.length ? ids : undefined, filter: ids.length ? undefined : filter, dryRun: flags['dry-run'], again: flags.again }, by);
  print(result, () => describe(result));
  return result.planned.length === 0 && result.refused.length > 0 ? 3 : 0;
}

/** Mistakes found before connecting to Kafka. */
function checkUsage(command: string, ids: string[], filter: DeadLetterFilter, flags: Flags): void {
  if (command === 'show' && ids.length !== 1) throw new UsageError('show takes one id: topic/partition/offset');
  if (command !== 'redrive') return;
  const hasFilter = Object.values(filter).some((v) => v !== undefined);
  if (ids.length > 0 && (hasFilter || flags.all)) throw new UsageError('redrive takes ids, or a filter / --all, not both');
  if (ids.length === 0 && !hasFilter && !flags.all) throw new UsageError('redrive what? name ids, give a filter, or say --all');
}

function describe(r: RedriveResult): string {
  const lines = [r.dryRun ? `dry run: would send ${r.planned.length}, refuse ${r.refused.length}` : `sent ${r.sent.length}, refused ${r.refused.length} (as ${r.by})`];
  if (r.dryRun) for (const p of r.planned) lines.push(`  would send ${p.id} -> ${p.topic}/${p.partition} key=${p.key ?? ''}`);
  for (const s of r.sent) lines.push(`  sent ${s.id} -> ${s.sentAs}`);
  for (const x of r.refused) lines.push(`  refused ${x.id}: ${x.reason}`);
  return lines.join('\n');
}

class UsageError extends Error {}

function filterOf(v: Record<string, string | boolean | undefined>): DeadLetterFilter {
  const text = (name: string) => (typeof v[name] === 'string' && v[name] !== '' ? (v[name] as string) : undefined);
  const time = (name: string) => {
    const value = text(name);
    if (value === undefined) return undefined;
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) throw new UsageError(`--${name} ${value}: not a time (ISO 8601)`);
    return date;
  };
  const partition = text('partition');
  if (partition !== undefined && !/^\d+$/.test(partition)) throw new UsageError(`--partition ${partition}: not a partition number`);
  const traceId = text('trace-id');
  if (traceId !== undefined && !/^[\da-f]{32}$/i.test(traceId)) throw new UsageError(`--trace-id ${traceId}: expected 32 hex digits`);
  const filter: DeadLetterFilter = {
    topic: text('topic'),
    partition: partition === undefined ? undefined : Number(partition),
    key: text('key'),
    eventId: text('event-id'),
    requestId: text('request-id'),
    traceId,
    from: time('from'),
    to: time('to'),
    reason: text('reason'),
  };
  const problem = filterProblem(filter);
  if (problem) throw new UsageError(`--from/--to: ${problem}`);
  return filter;
}

// kafkajs' own lines (a dozen for each retry of a broker it cannot reach) would bury the one line
// a failed command ends with, and interleave with output a script parses. DLQ_VERBOSE=1 shows them.
Logger.overrideLogger(process.env.DLQ_VERBOSE ? ['log', 'warn', 'error'] : false);

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    const usage = error instanceof UsageError || error instanceof ConfigError || String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
    console.error(`dlq: ${error.message}`);
    if (error instanceof UsageError) console.error(USAGE);
    process.exit(usage ? 2 : 1);
  },
);
