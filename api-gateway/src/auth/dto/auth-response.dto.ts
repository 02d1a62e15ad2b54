import { ApiProperty } from '@nestjs/swagger';
import { UserResponseDto } from '../../shared/dto/users';

export class AuthResponseDto {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <token>`', example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...' })
  readonly accessToken!: string;

  @ApiProperty({ example: 'Bearer' }) readonly tokenType!: 'Bearer';

  @ApiProperty({ description: 'Seconds until the access token expires (JWT_EXPIRATION)', example: 900 })
  readonly expiresIn!: number;

  @ApiProperty({ description: 'Trade it at POST /api/auth/refresh for a new pair; each is good once', example: 'Jm3l...43 characters' })
  readonly refreshToken!: string;

  @ApiProperty({ format: 'date-time', description: 'When the refresh token stops working (REFRESH_TOKEN_TTL)' })
  readonly refreshExpiresAt!: string;

  @ApiProperty({ format: 'uuid', description: 'This login (GET /api/auth/sessions lists them)' })
  readonly sessionId!: string;

  @ApiProperty({ type: UserResponseDto }) readonly user!: UserResponseDto;
}
