// Stops the apps, then the faults stack (Kafka first). FAULTS_KEEP=1 leaves everything running
// for a look around (`node e2e/faults/support/stack-ctl.mjs down` stops the servers later).
import { stackDown, stopAllApps } from './support/harness';

export default async function globalTeardown(): Promise<void> {
  if (process.env.FAULTS_KEEP === '1') {
    process.stderr.write('[faults] FAULTS_KEEP=1: apps and servers left running\n');
    return;
  }
  await stopAllApps();
  await stackDown();
}
