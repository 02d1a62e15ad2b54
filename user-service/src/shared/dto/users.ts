// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsString, MaxLength } from 'class-validator';
import { Role, ROLES } from '../events/contracts';
import { allowedEmailPattern, IsAllowedEmailDomain } from '../validation/email-domain';
import { IsOmittable } from '../validation/omittable';
import { IsSecurePassword, PASSWORD_MAX, PASSWORD_MIN, PASSWORD_PATTERN, PASSWORD_RULES_TEXT } from '../validation/password';
import { HasChars, NO_NUL_PATTERN } from '../validation/text';
import { UUID_SCHEMA } from './schema';

// The user bodies of the gateway and of user-service: one class each, so a rule changes once.
// Each property's validators run in the order written, and only the first failure is reported.

/** 254: the longest address SMTP carries (RFC 5321), and the most @IsEmail takes. */
const EMAIL_MAX = 254;
const EMAIL = { format: 'email', maxLength: EMAIL_MAX } as const;
const NAME = { minLength: 1, maxLength: 255, pattern: NO_NUL_PATTERN } as const;
const PASSWORD = {
  minLength: PASSWORD_MIN,
  maxLength: PASSWORD_MAX,
  pattern: PASSWORD_PATTERN,
  writeOnly: true,
  description: `${PASSWORD_RULES_TEXT[0].toUpperCase()}${PASSWORD_RULES_TEXT.slice(1)}`,
} as const;

export class CreateUserDto {
  @ApiProperty({ ...EMAIL, example: 'john@example.com', pattern: allowedEmailPattern() })
  @IsString()
  @MaxLength(EMAIL_MAX)
  @IsEmail()
  @IsAllowedEmailDomain()
  readonly email!: string;

  @ApiProperty({ ...NAME, example: 'John Doe' })
  @IsString()
  @HasChars(1, 255)
  readonly name!: string;

  @ApiProperty({ ...PASSWORD, example: 'SecurePass123!' })
  @IsString()
  @HasChars(0, PASSWORD_MAX)
  @IsSecurePassword()
  readonly password!: string;

  @ApiPropertyOptional({ enum: ROLES, default: 'user' })
  @IsOmittable()
  @IsIn(ROLES)
  readonly role?: Role;
}

/** Every field optional; the role never changes here. */
export class UpdateUserDto {
  @ApiPropertyOptional({ ...EMAIL, example: 'john.doe@example.com', pattern: allowedEmailPattern() })
  @IsOmittable()
  @IsString()
  @MaxLength(EMAIL_MAX)
  @IsEmail()
  @IsAllowedEmailDomain()
  readonly email?: string;

  @ApiPropertyOptional({ ...NAME, example: 'John D.' })
  @IsOmittable()
  @IsString()
  @HasChars(1, 255)
  readonly name?: string;

  @ApiPropertyOptional({ ...PASSWORD, example: 'NewSecurePass123!' })
  @IsOmittable()
  @IsString()
  @HasChars(0, PASSWORD_MAX)
  @IsSecurePassword()
  readonly password?: string;
}

/** A login attempt. Sizes only: any other mismatch is the one 401, so the password rule is no hint. */
export class LoginDto {
  @ApiProperty({ example: 'john@example.com', maxLength: 255, pattern: NO_NUL_PATTERN })
  @IsString()
  @HasChars(0, 255)
  readonly email!: string;

  @ApiProperty({ example: 'SecurePass123!', maxLength: 128, pattern: NO_NUL_PATTERN, writeOnly: true })
  @IsString()
  @HasChars(0, 128)
  readonly password!: string;
}

/** What a client sees of a user: never the password or its hash. */
export class UserResponseDto {
  @ApiProperty({ ...UUID_SCHEMA, example: '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b' }) readonly id!: string;
  @ApiProperty({ example: 'john@example.com' }) readonly email!: string;
  @ApiProperty({ example: 'John Doe' }) readonly name!: string;
  @ApiProperty({ enum: ROLES, example: 'user' }) readonly role!: Role;
  @ApiProperty({ format: 'date-time', example: '2025-01-31T12:00:00.000Z' }) readonly createdAt!: string;
  @ApiProperty({ format: 'date-time', example: '2025-01-31T12:00:00.000Z' }) readonly updatedAt!: string;
}

/** A refresh token as a login or refresh hands it out: 32 random bytes in base64url. */
export const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
