import { validateEnv } from './config/env';
import { CreateUsers1764000000001 } from './database/migrations/1764000000001-create-users';
import { CreateSessions1764000000002 } from './database/migrations/1764000000002-create-sessions';
import { RefreshToken, Session } from './sessions/session.entity';
import { IdempotencyKeys1764500000000 } from './shared/idempotency/idempotency-keys.migration';
import { ServiceDefinition } from './shared/service/definition';
import { User } from './users/user.entity';

export const userService: ServiceDefinition = {
  name: 'user-service',
  description: 'Users; publishes user.created and user.deleted',
  validateEnv,
  schema: { entities: [User, Session, RefreshToken], migrations: [CreateUsers1764000000001, CreateSessions1764000000002, IdempotencyKeys1764500000000] },
  consumesEvents: false,
};
