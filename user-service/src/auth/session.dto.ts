import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { UUID_SCHEMA } from '../shared/dto/schema';
import { REFRESH_TOKEN_PATTERN } from '../shared/dto/users';
import { IsOmittable } from '../shared/validation/omittable';
import { HasChars, NO_NUL_PATTERN } from '../shared/validation/text';
import { IsAnyUuid } from '../shared/validation/uuid';
import { UserResponseDto } from '../shared/dto/users';
import { IssuedRefreshToken } from '../sessions/sessions.service';
import { Session } from '../sessions/session.entity';

/** What the gateway saw of the client, recorded on the session. */
class ClientSeenDto {
  @ApiPropertyOptional({ maxLength: 300, pattern: NO_NUL_PATTERN })
  @IsOmittable()
  @IsString()
  @HasChars(0, 300)
  readonly userAgent?: string;

  @ApiPropertyOptional({ maxLength: 64, pattern: NO_NUL_PATTERN })
  @IsOmittable()
  @IsString()
  @HasChars(0, 64)
  readonly ip?: string;
}

/** A login as the gateway forwards it: the credentials (sizes only: any mismatch is the one 401) and the client it saw. */
export class SessionLoginDto extends ClientSeenDto {
  @ApiProperty({ example: 'john@example.com', maxLength: 255, pattern: NO_NUL_PATTERN })
  @IsString()
  @HasChars(0, 255)
  readonly email!: string;

  @ApiProperty({ example: 'SecurePass123!', maxLength: 128, pattern: NO_NUL_PATTERN, writeOnly: true })
  @IsString()
  @HasChars(0, 128)
  readonly password!: string;
}

export class OpenSessionDto extends ClientSeenDto {
  @ApiProperty(UUID_SCHEMA)
  @IsAnyUuid()
  readonly userId!: string;
}


export class RefreshSessionDto extends ClientSeenDto {
  @ApiProperty({ description: 'The refresh token of the last login or refresh', pattern: REFRESH_TOKEN_PATTERN.source, writeOnly: true })
  @IsString()
  @Matches(REFRESH_TOKEN_PATTERN, { message: 'refreshToken must be the 43-character token a login or refresh answered' })
  readonly refreshToken!: string;
}

export class SessionsQuery {
  @ApiPropertyOptional({ ...UUID_SCHEMA, description: 'An admin only; a user always sees their own' })
  @IsOptional()
  @IsAnyUuid()
  readonly userId?: string;
}

export class IssuedSessionDto {
  @ApiProperty({ format: 'uuid' }) readonly sessionId!: string;
  @ApiProperty({ description: 'Opaque; shown once, stored only as a digest' }) readonly refreshToken!: string;
  @ApiProperty({ format: 'date-time' }) readonly refreshExpiresAt!: string;
  @ApiProperty({ type: UserResponseDto }) readonly user!: UserResponseDto;

  static of(issued: IssuedRefreshToken, user: UserResponseDto): IssuedSessionDto {
    return { sessionId: issued.sessionId, refreshToken: issued.refreshToken, refreshExpiresAt: issued.refreshExpiresAt.toISOString(), user };
  }
}

export class SessionResponseDto {
  @ApiProperty({ format: 'uuid' }) readonly id!: string;
  @ApiProperty({ format: 'date-time' }) readonly createdAt!: string;
  @ApiProperty({ format: 'date-time' }) readonly lastUsedAt!: string;
  @ApiProperty({ nullable: true, type: String }) readonly userAgent!: string | null;
  @ApiProperty({ nullable: true, type: String }) readonly ip!: string | null;

  static of(s: Session): SessionResponseDto {
    return { id: s.id, createdAt: s.createdAt.toISOString(), lastUsedAt: s.lastUsedAt.toISOString(), userAgent: s.userAgent, ip: s.ip };
  }
}

export class SessionStatusDto {
  @ApiProperty() readonly active!: boolean;
  @ApiPropertyOptional({ format: 'uuid' }) readonly userId?: string;
  @ApiPropertyOptional({ enum: ['user', 'admin'] }) readonly role?: string;
}
