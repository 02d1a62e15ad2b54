import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsAllowedEmailDomain } from '../../shared/validation/email-domain';
import { IsOmittable } from '../../shared/validation/omittable';
import { IsSecurePassword } from '../../shared/validation/password';

export class UpdateUserDto {
  @ApiPropertyOptional({ example: 'john.doe@example.com', maxLength: 255 })
  @IsOmittable()
  @IsEmail()
  @IsAllowedEmailDomain()
  @MaxLength(255)
  readonly email?: string;

  @ApiPropertyOptional({ example: 'John D.', minLength: 1, maxLength: 255 })
  @IsOmittable()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  readonly name?: string;

  @ApiPropertyOptional({
    example: 'NewSecurePass123!',
    minLength: 8,
    maxLength: 128,
    writeOnly: true,
    description: 'At least 8 characters with an upper-case letter, a lower-case letter, a digit and a symbol',
  })
  @IsOmittable()
  @IsString()
  @IsSecurePassword()
  @MaxLength(128)
  readonly password?: string;
}
