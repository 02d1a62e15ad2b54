import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

/** A login attempt as the gateway forwards it. No format rules beyond sizes: a bad pair is just a 401. */
export class VerifyCredentialsDto {
  @ApiProperty({ example: 'john@example.com', maxLength: 255 })
  @IsString()
  @MaxLength(255)
  readonly email!: string;

  @ApiProperty({ example: 'SecurePass123!', maxLength: 128, writeOnly: true })
  @IsString()
  @MaxLength(128)
  readonly password!: string;
}
