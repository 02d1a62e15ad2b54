#!/usr/bin/env node
// Copies the event contracts and the common Kafka/HTTP/observability code into each app's src/shared/.
// Each app compiles its copy with its own dependencies; `--check` fails when a copy has drifted.
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const sharedDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(sharedDir);
const ALL = ['auth', 'config', 'context', 'database', 'errors', 'events', 'http', 'kafka', 'observability', 'outbox', 'service', 'validation'];
export const TARGETS = {
  'user-service': ALL,
  'order-service': ALL,
  'payment-service': ALL,
  // The gateway neither owns a database nor touches Kafka.
  'api-gateway': ['auth', 'config', 'context', 'errors', 'events', 'http', 'observability', 'validation'],
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

export function drift() {
  const problems = [];
  for (const [app, folders] of Object.entries(TARGETS)) {
    const target = join(root, app, 'src', 'shared');
    if (!existsSync(join(root, app))) continue;
    for (const folder of folders) {
      const source = join(sharedDir, folder);
      const sourceFiles = files(source).map((f) => relative(source, f));
      const copyDir = join(target, folder);
      const copyFiles = existsSync(copyDir) ? files(copyDir).map((f) => relative(copyDir, f)) : [];
      for (const f of sourceFiles) {
        const copy = join(copyDir, f);
        if (!existsSync(copy)) problems.push(`${app}: missing src/shared/${folder}/${f}`);
        else if (!readFileSync(copy).equals(readFileSync(join(source, f)))) problems.push(`${app}: src/shared/${folder}/${f} differs`);
      }
      for (const f of copyFiles) if (!sourceFiles.includes(f)) problems.push(`${app}: extra src/shared/${folder}/${f}`);
    }
    const extraFolders = existsSync(target) ? readdirSync(target).filter((f) => !folders.includes(f)) : [];
    for (const f of extraFolders) problems.push(`${app}: src/shared/${f} is not a shared folder`);
  }
  return problems;
}

function sync() {
  for (const [app, folders] of Object.entries(TARGETS)) {
    if (!existsSync(join(root, app))) continue;
    const target = join(root, app, 'src', 'shared');
    rmSync(target, { recursive: true, force: true });
    for (const folder of folders) {
      cpSync(join(sharedDir, folder), join(target, folder), { recursive: true, filter: (src) => !isTest(src) });
    }
    console.log(`synced shared/ -> ${app}/src/shared (${folders.join(', ')})`);
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
