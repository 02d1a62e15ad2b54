// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { DynamicModule, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSourceOptions, MixedList } from 'typeorm';
import type { DatabaseEnv } from '../config/env';
import { ProcessedEvent } from '../kafka/processed-event.entity';
import { OutboxMessage } from '../outbox/outbox-message.entity';
import { OutboxTables1764000000000 } from '../outbox/outbox-tables.migration';
import { UnitOfWork } from './unit-of-work';

/** A service's own tables: its entities and its migrations, oldest first. */
export interface ServiceSchema {
  // Entity and migration classes, as TypeORM takes them.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly entities: MixedList<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly migrations: MixedList<Function>;
}

export type DatabaseSettings = Pick<DatabaseEnv, 'DB_HOST' | 'DB_PORT' | 'DB_USERNAME' | 'DB_PASSWORD' | 'DB_DATABASE' | 'DB_POOL_SIZE'>;

/**
 * The connection of a service to its own database: its schema plus what every service has (the
 * outbox and the consumers' ledger, created by the first migration). Used by the app, by the
 * migration command and by the TypeORM CLI alike.
 */
export function dataSourceOptions(db: DatabaseSettings, schema: ServiceSchema): DataSourceOptions {
  return {
    type: 'postgres',
    host: db.DB_HOST,
    port: db.DB_PORT,
    username: db.DB_USERNAME,
    password: db.DB_PASSWORD,
    database: db.DB_DATABASE,
    entities: [OutboxMessage, ProcessedEvent, ...(schema.entities as never[])],
    migrations: [OutboxTables1764000000000, ...(schema.migrations as never[])],
    synchronize: false,
    extra: {
      max: db.DB_POOL_SIZE,
      // Also the wait for a free pooled connection: a burst queues instead of failing with 503.
      // A database that is down still fails at once (connection refused), so outages stay fast.
      connectionTimeoutMillis: 10000,
      // A query stuck behind a dead database fails instead of hanging the request.
      statement_timeout: 10000,
    },
  };
}

/** The service's database for Nest: TypeORM's DataSource, and the UnitOfWork over it. */
@Module({})
export class DatabaseModule {
  static forService(schema: ServiceSchema): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService<DatabaseEnv, true>) => ({
            ...dataSourceOptions(databaseSettingsOf(config), schema),
            // Schema changes only through checked-in migrations, applied at start.
            migrationsRun: true,
            // Retries at start are the app's; a running app reconnects through the pool.
            retryAttempts: 10,
            retryDelay: 1000,
          }),
        }),
      ],
      providers: [UnitOfWork],
      exports: [UnitOfWork],
    };
  }
}

function databaseSettingsOf(config: ConfigService<DatabaseEnv, true>): DatabaseSettings {
  return {
    DB_HOST: config.get('DB_HOST', { infer: true }),
    DB_PORT: config.get('DB_PORT', { infer: true }),
    DB_USERNAME: config.get('DB_USERNAME', { infer: true }),
    DB_PASSWORD: config.get('DB_PASSWORD', { infer: true }),
    DB_DATABASE: config.get('DB_DATABASE', { infer: true }),
    DB_POOL_SIZE: config.get('DB_POOL_SIZE', { infer: true }),
  };
}
