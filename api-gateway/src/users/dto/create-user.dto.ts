import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsAllowedEmailDomain } from '../../shared/validation/email-domain';
import { IsSecurePassword } from '../../shared/validation/password';
import { Role, ROLES } from '../../shared/events/contracts';

/** Same rules as user-service's CreateUserDto: bad input stops here, and user-service checks again. */
export class CreateUserDto {
  @ApiProperty({ example: 'john@example.com', maxLength: 255 })
  @IsEmail()
  @IsAllowedEmailDomain()
  @MaxLength(255)
  readonly email!: string;

  @ApiProperty({ example: 'John Doe', minLength: 1, maxLength: 255 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  readonly name!: string;

  @ApiProperty({
    example: 'SecurePass123!',
    minLength: 8,
    maxLength: 128,
    writeOnly: true,
    description: 'At least 8 characters with an upper-case letter, a lower-case letter, a digit and a symbol',
  })
  @IsString()
  @IsSecurePassword()
  @MaxLength(128)
  readonly password!: string;

  @ApiPropertyOptional({ enum: ROLES, default: 'user' })
  @IsOptional()
  @IsIn(ROLES)
  readonly role?: Role;
}
