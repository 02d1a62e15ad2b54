// `node dist/database/migrate.js`: applies this service's pending migrations and exits. On
// Kubernetes an init container runs it before the app starts (see infra/helm/nest-ms).
import 'reflect-metadata';
import { migrateAndExit } from '../shared/database/migrate';
import dataSource from './data-source';

migrateAndExit('payment-service', dataSource);
