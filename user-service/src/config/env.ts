import { DatabaseEnv, envValidator } from '../shared/config/env';

/** user-service's environment. Defaults are the local stack's (`npm start`). */
export class UserServiceEnv extends DatabaseEnv {}

export const validateEnv = envValidator(UserServiceEnv, {
  PORT: 3001,
  DB_PORT: 5432,
  DB_DATABASE: 'userdb',
  KAFKA_CLIENT_ID: 'user-service',
  KAFKA_CONSUMER_GROUP: 'user-service-group',
});
