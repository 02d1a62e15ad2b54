import { DataSourceOptions } from 'typeorm';
import { OutboxMessage } from '../shared/outbox/outbox-message.entity';
import { OutboxTables1764000000000 } from '../shared/outbox/outbox-tables.migration';
import { ProcessedEvent } from '../shared/outbox/processed-event.entity';
import { User } from '../users/user.entity';
import { CreateUsers1764000000001 } from './migrations/1764000000001-create-users';

export interface DatabaseSettings {
  host: string;
  port: number;
  username: string;
  password: string;
  database: string;
  poolSize: number;
}

export function dataSourceOptions(db: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    host: db.host,
    port: db.port,
    username: db.username,
    password: db.password,
    database: db.database,
    entities: [User, OutboxMessage, ProcessedEvent],
    migrations: [OutboxTables1764000000000, CreateUsers1764000000001],
    synchronize: false,
    extra: {
      max: db.poolSize,
      // Also the wait for a free pooled connection: a burst queues instead of failing with 503.
      // A database that is down still fails at once (connection refused), so outages stay fast.
      connectionTimeoutMillis: 10000,
      // A query stuck behind a dead database fails instead of hanging the request.
      statement_timeout: 10000,
    },
  };
}
