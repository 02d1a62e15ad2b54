import { ApiProperty } from '@nestjs/swagger';
import { UserResponseDto } from '../../shared/dto/users';

export class AuthResponseDto {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <token>`', example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...' })
  readonly accessToken!: string;

  @ApiProperty({ example: 'Bearer' }) readonly tokenType!: 'Bearer';

  @ApiProperty({ description: 'Seconds until the token expires (JWT_EXPIRATION)', example: 3600 })
  readonly expiresIn!: number;

  @ApiProperty({ type: UserResponseDto }) readonly user!: UserResponseDto;
}
