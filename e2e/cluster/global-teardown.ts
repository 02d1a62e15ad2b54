// Stops the cluster (nginx, apps, brokers, PostgreSQL) through its host process.
import { stopHost } from './support/cluster';

export default async function globalTeardown(): Promise<void> {
  await stopHost();
}
