import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

/** Sizes only: any other mismatch is the one 401, so the rules of passwords are not a hint. */
export class LoginDto {
  @ApiProperty({ example: 'john@example.com', maxLength: 255 })
  @IsString()
  @MaxLength(255)
  readonly email!: string;

  @ApiProperty({ example: 'SecurePass123!', maxLength: 128, writeOnly: true })
  @IsString()
  @MaxLength(128)
  readonly password!: string;
}
