#!/usr/bin/env node
// Prints the events on every topic whose key is one of the given ids (used by demo-quick.sh).
//   node scripts/peek-events.mjs [--broker localhost:9094[,localhost:9095,...]] <id> [<id> ...]
// The default names the dev broker first, then the cluster profile's other two: with a cluster
// broker down, the next one is asked (the dev profile answers on the first).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { Kafka, logLevel } = createRequire(`${root}infra/local/package.json`)('kafkajs');
const topicsFile = JSON.parse(readFileSync(`${root}shared/events/topics.json`, 'utf8'));

const USAGE = 'usage: node scripts/peek-events.mjs [--broker host:port[,host:port...]] <id> [<id> ...]';
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const unknown = args.find((a) => a.startsWith('-') && a !== '--broker');
if (unknown || args.at(-1) === '--broker') {
  console.error(unknown ? `peek-events: unknown option ${unknown}\n${USAGE}` : USAGE);
  process.exit(2);
}
const brokerAt = args.indexOf('--broker');
const brokers = (brokerAt >= 0 ? args.splice(brokerAt, 2)[1] : 'localhost:9094,localhost:9095,localhost:9096').split(',');
const keys = new Set(args);
if (keys.size === 0) {
  console.error(USAGE);
  process.exit(2);
}
const topics = Object.values(topicsFile.topics);

/** The first broker of the list that answers (kafkajs would start at the head of the list, a dead broker included). */
async function firstAnswering(list) {
  for (const broker of list) {
    const probe = new Kafka({ brokers: [broker], logLevel: logLevel.NOTHING, clientId: 'peek-events', connectionTimeout: 2000, retry: { retries: 0 } }).admin();
    try {
      await probe.connect();
      return broker;
    } catch {
      // the next one
    } finally {
      await probe.disconnect().catch(() => {});
    }
  }
  console.error(`no Kafka broker answers at ${list.join(', ')} (is the system running?)`);
  process.exit(1);
}

/**
 * Reads every topic once, from the beginning up to the end offsets it found first, with one consumer
 * (one group join, not one per topic); throws on a broker that does not answer. A broker that just
 * died is still named in the cluster's metadata (as some partitions' leader) for a few seconds.
 */
async function peek() {
  const kafka = new Kafka({ brokers: [await firstAnswering(brokers)], logLevel: logLevel.NOTHING, clientId: 'peek-events' });
  const admin = kafka.admin();
  const groupId = `peek-${process.pid}-${Date.now()}`;
  const consumer = kafka.consumer({ groupId });
  const found = [];
  await admin.connect();
  try {
    // "topic:partition" -> the offset after the last message to read.
    const remaining = new Map();
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) if (p.high !== p.low) remaining.set(`${topic}:${p.partition}`, Number(p.high));
    }
    if (remaining.size === 0) return found;
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise((resolve, reject) => {
      // Ends the read when every partition has been read to its end, or 10 s after the last message.
      let quiet = setTimeout(resolve, 10000);
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        clearTimeout(quiet);
        reject(payload.error);
      });
      consumer
        .run({
          eachMessage: async ({ topic, partition, message }) => {
            clearTimeout(quiet);
            quiet = setTimeout(resolve, 10000);
            const key = message.key?.toString();
            if (keys.has(key)) found.push({ topic, key, partition, offset: message.offset, value: JSON.parse(message.value.toString()) });
            const at = `${topic}:${partition}`;
            if (Number(message.offset) + 1 >= remaining.get(at)) remaining.delete(at);
            if (remaining.size === 0) {
              clearTimeout(quiet);
              resolve();
            }
          },
        })
        .catch((err) => {
          clearTimeout(quiet);
          reject(err);
        });
    });
    return found;
  } finally {
    await consumer.disconnect().catch(() => {});
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

/** Tries again for up to a minute while a broker that died is still named as a leader; never longer than 90 s in all. */
async function peekPatiently() {
  const deadline = Date.now() + 60000;
  setTimeout(() => {
    console.error('cannot read the events: Kafka did not answer within 90 s');
    process.exit(1);
  }, 90000).unref();
  for (;;) {
    try {
      return await peek();
    } catch (err) {
      if (Date.now() > deadline) {
        console.error(`cannot read the events: ${err.message}`);
        process.exit(1);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

const found = await peekPatiently();
found.sort((a, b) => a.value.occurredAt.localeCompare(b.value.occurredAt));
for (const e of found) {
  console.log(`${e.value.occurredAt}  ${e.topic.padEnd(18)} key=${e.key}  ${e.value.type} v${e.value.version}  requestId=${e.value.requestId}`);
  console.log(`    ${JSON.stringify(e.value.data)}`);
}
if (found.length === 0) console.log('(no events found for these keys)');
