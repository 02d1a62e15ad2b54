#!/usr/bin/env node
// `npm run reset`: wipes the local stack's data (.data/: databases and Kafka logs of both profiles)
// after checking that none of our servers still uses it.
import fs from 'node:fs';
import path from 'node:path';
import { allLiveServers } from '../infra/local/leftovers.mjs';
import { PROFILES, REPO_ROOT, postgresDataRoot } from '../infra/local/profiles.mjs';

// It wipes everything and takes no argument: whatever is given was meant for something else.
if (process.argv.length > 2) {
  console.error(`npm run reset takes no arguments (got ${process.argv.slice(2).join(' ')}): it wipes .data/ of every profile; nothing was removed`);
  process.exit(2);
}
const live = allLiveServers();
if (live.length > 0) {
  console.log('These servers of ours still run on the data; stop them first (Ctrl+C in `npm start`,');
  console.log('or `npm run infra:stop` for ones a killed run left behind):');
  for (const s of live) console.log(`  ${s.profile}/${s.name}  pid ${s.pid}`);
  process.exit(1);
}
const dataDir = path.join(REPO_ROOT, '.data');
// As root in a folder the postgres user cannot enter, the clusters live under the temp folder.
const elsewhere = Object.values(PROFILES)
  .map(postgresDataRoot)
  .filter((dir) => !dir.startsWith(dataDir + path.sep) && fs.existsSync(dir));
if (!fs.existsSync(dataDir) && elsewhere.length === 0) {
  console.log('nothing to reset: .data/ does not exist');
} else {
  for (const dir of [dataDir, ...elsewhere]) fs.rmSync(dir, { recursive: true, force: true });
  console.log(`removed ${['.data/', ...elsewhere].join(', ')} (the databases and Kafka storage of every profile); the next \`npm start\` starts empty`);
}
