// `node dist/database/migrate.js`: applies this service's pending migrations and exits. On
// Kubernetes an init container runs it before the app starts (see infra/helm/nest-ms).
import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { migrateAndExit } from '../shared/database/migrate';

// eslint-disable-next-line @typescript-eslint/no-require-imports
void migrateAndExit('payment-service', () => (require('./data-source') as { default: DataSource }).default);
