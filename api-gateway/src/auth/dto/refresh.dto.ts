import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class RefreshDto {
  @ApiProperty({ description: 'The refreshToken of the last login, registration or refresh (spent once used)', minLength: 43, maxLength: 43, writeOnly: true })
  @IsString()
  @Length(43, 43, { message: 'refreshToken must be the 43-character token a login or refresh answered' })
  readonly refreshToken!: string;
}
