#!/usr/bin/env node
// Copies the event contracts and the common Kafka/HTTP/observability code into each app's src/shared/.
// Each app compiles its copy with its own dependencies; `--check` fails when a copy has drifted.
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const sharedDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(sharedDir);
const ALL = ['auth', 'config', 'context', 'database', 'dto', 'errors', 'events', 'http', 'idempotency', 'kafka', 'observability', 'outbox', 'service', 'validation'];
/** What each folder gets: whole shared folders, or single files (`folder/file`) for a small consumer. */
export const TARGETS = {
  'user-service': ALL,
  'order-service': ALL,
  'payment-service': ALL,
  // The gateway neither owns a database nor touches Kafka.
  'api-gateway': ['auth', 'config', 'context', 'dto', 'errors', 'events', 'http', 'idempotency/idempotency-key.ts', 'idempotency/idempotency-docs.ts', 'kafka/dead-letter-headers.ts', 'observability', 'validation'],
  // The event console reads topics and dead letters with the services' Kafka settings, nothing more:
  // the rest of shared/ would pull Nest's microservices, TypeORM and OpenTelemetry into it.
  'infra/console': ['events/topics.json', 'events/topics.ts', 'kafka/kafka-client.ts', 'kafka/kafkajs-idle-fix.ts', 'kafka/dead-letter-headers.ts'],
};

// Tests of shared code run once, from shared/ itself (user-service's jest project "shared").
const isTest = (name) => name.endsWith('.spec.ts');

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return isTest(name) ? [] : [path];
  });
}

/** Paths (relative to shared/) a target receives. */
function expectedFiles(entries) {
  return entries.flatMap((entry) => {
    const source = join(sharedDir, entry);
    return statSync(source).isDirectory() ? files(source).map((f) => relative(sharedDir, f)) : [entry];
  });
}

export function drift() {
  const problems = [];
  for (const [app, entries] of Object.entries(TARGETS)) {
    const target = join(root, app, 'src', 'shared');
    if (!existsSync(join(root, app))) continue;
    const expected = expectedFiles(entries);
    for (const f of expected) {
      const copy = join(target, f);
      if (!existsSync(copy)) problems.push(`${app}: missing src/shared/${f}`);
      else if (!readFileSync(copy).equals(readFileSync(join(sharedDir, f)))) problems.push(`${app}: src/shared/${f} differs`);
    }
    const folders = new Set(expected.map((f) => f.split('/')[0]));
    const present = existsSync(target) ? readdirSync(target) : [];
    for (const f of present.filter((x) => !folders.has(x))) problems.push(`${app}: src/shared/${f} is not a shared folder`);
    for (const folder of present.filter((x) => folders.has(x))) {
      for (const f of files(join(target, folder)).map((x) => relative(target, x))) {
        if (!expected.includes(f)) problems.push(`${app}: extra src/shared/${f}`);
      }
    }
  }
  return problems;
}

function sync() {
  for (const [app, entries] of Object.entries(TARGETS)) {
    if (!existsSync(join(root, app))) continue;
    const target = join(root, app, 'src', 'shared');
    rmSync(target, { recursive: true, force: true });
    for (const entry of entries) {
      cpSync(join(sharedDir, entry), join(target, entry), { recursive: true, filter: (src) => !isTest(src) });
    }
    console.log(`synced shared/ -> ${app}/src/shared (${entries.join(', ')})`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const problems = drift();
    if (problems.length) {
      console.error(`shared/ copies have drifted (run \`npm run sync:shared\`):\n  ${problems.join('\n  ')}`);
      process.exit(1);
    }
    console.log('shared/ copies are in sync');
  } else {
    sync();
  }
}
