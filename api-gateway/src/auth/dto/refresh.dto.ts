import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { REFRESH_TOKEN_PATTERN } from '../../shared/dto/users';

export class RefreshDto {
  @ApiProperty({
    description: 'The refreshToken of the last login, registration or refresh (spent once used)',
    pattern: REFRESH_TOKEN_PATTERN.source,
    writeOnly: true,
  })
  @IsString()
  @Matches(REFRESH_TOKEN_PATTERN, { message: 'refreshToken must be the 43-character token a login or refresh answered' })
  readonly refreshToken!: string;
}
