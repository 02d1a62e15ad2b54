import { ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { IsOmittable } from '../../shared/validation/omittable';
import { Role, ROLES } from '../../shared/events/contracts';
import { CreateUserDto } from '../../shared/dto/users';

/** A sign-up: the user fields (same rules), and a role that can only be `user` (403 for `admin`). */
export class RegisterDto extends OmitType(CreateUserDto, ['role'] as const) {
  @ApiPropertyOptional({ enum: ['user'], default: 'user', description: 'Only `user`: admins are made by an admin (POST /api/users)' })
  @IsOmittable()
  @IsIn(ROLES)
  readonly role?: Role;
}
