import { IsEmail, IsString, MaxLength, ValidateIf } from 'class-validator';
import { IsDuration } from '../shared/config/duration';
import { DatabaseEnv, envValidator } from '../shared/config/env';
import { IsSecurePassword } from '../shared/validation/password';

/** user-service's environment. Defaults are the local stack's (`npm start`). */
export class UserServiceEnv extends DatabaseEnv {
  /** How long a session may go unrefreshed: each refresh token lives this long after it is issued. */
  @IsDuration('REFRESH_TOKEN_TTL') REFRESH_TOKEN_TTL = '30d';

  /** The first admin (created at start, or promoted; see AdminSeeder). Needs ADMIN_PASSWORD. */
  @ValidateIf((env: UserServiceEnv) => env.ADMIN_EMAIL !== undefined || env.ADMIN_PASSWORD !== undefined)
  @IsEmail({}, { message: 'ADMIN_EMAIL must be an email address (it is required with ADMIN_PASSWORD)' })
  @MaxLength(255)
  ADMIN_EMAIL?: string;

  /** Used only when the admin is created; a restart never resets it. */
  @ValidateIf((env: UserServiceEnv) => env.ADMIN_EMAIL !== undefined || env.ADMIN_PASSWORD !== undefined)
  @IsString({ message: 'ADMIN_PASSWORD is required with ADMIN_EMAIL' })
  @IsSecurePassword()
  @MaxLength(128)
  ADMIN_PASSWORD?: string;
}

export const validateEnv = envValidator(UserServiceEnv, {
  PORT: 3001,
  DB_PORT: 5432,
  DB_DATABASE: 'userdb',
  KAFKA_CLIENT_ID: 'user-service',
  KAFKA_CONSUMER_GROUP: 'user-service-group',
});
