import { validateEnv } from './config/env';
import { CreateUsers1764000000001 } from './database/migrations/1764000000001-create-users';
import { ServiceDefinition } from './shared/service/definition';
import { User } from './users/user.entity';

export const userService: ServiceDefinition = {
  name: 'user-service',
  description: 'Users; publishes user.created and user.deleted',
  validateEnv,
  schema: { entities: [User], migrations: [CreateUsers1764000000001] },
  consumesEvents: false,
};
