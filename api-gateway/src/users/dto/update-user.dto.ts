import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

/** Same rules as user-service's UpdateUserDto; every field optional. */
export class UpdateUserDto {
  @ApiPropertyOptional({ example: 'john.doe@example.com', maxLength: 255 })
  @IsOptional()
  @IsEmail()
  @MaxLength(255)
  readonly email?: string;

  @ApiPropertyOptional({ example: 'John D.', minLength: 1, maxLength: 255 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  readonly name?: string;

  @ApiPropertyOptional({ example: 'NewSecurePass123!', minLength: 8, maxLength: 128, writeOnly: true })
  @IsOptional()
  @IsString()
  @MinLength(8)
  @MaxLength(128)
  readonly password?: string;
}
