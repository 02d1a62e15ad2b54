import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { UserResponseDto } from '../shared/dto/users';
import { IssuedRefreshToken } from '../sessions/sessions.service';
import { Session } from '../sessions/session.entity';

/** What the gateway saw of the client, recorded on the session. */
class ClientSeenDto {
  @ApiPropertyOptional({ maxLength: 300 })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  readonly userAgent?: string;

  @ApiPropertyOptional({ maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  readonly ip?: string;
}

export class LoginDto extends ClientSeenDto {
  @ApiProperty({ example: 'john@example.com', maxLength: 255 })
  @IsString()
  @MaxLength(255)
  readonly email!: string;

  @ApiProperty({ example: 'SecurePass123!', maxLength: 128, writeOnly: true })
  @IsString()
  @MaxLength(128)
  readonly password!: string;
}

export class OpenSessionDto extends ClientSeenDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('4')
  readonly userId!: string;
}

export class RefreshDto extends ClientSeenDto {
  @ApiProperty({ description: 'The refresh token of the last login or refresh', minLength: 43, maxLength: 43, writeOnly: true })
  @IsString()
  @Length(43, 43)
  readonly refreshToken!: string;
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
