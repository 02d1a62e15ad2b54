import { ApiProperty } from '@nestjs/swagger';
import { Role, ROLES } from '../../shared/events/contracts';
import { User } from '../user.entity';

/** What a client sees of a user: never the password or its hash. */
export class UserResponseDto {
  @ApiProperty({ format: 'uuid' }) readonly id!: string;
  @ApiProperty({ example: 'john@example.com' }) readonly email!: string;
  @ApiProperty({ example: 'John Doe' }) readonly name!: string;
  @ApiProperty({ enum: ROLES }) readonly role!: Role;
  @ApiProperty({ format: 'date-time' }) readonly createdAt!: string;
  @ApiProperty({ format: 'date-time' }) readonly updatedAt!: string;

  static of(user: User): UserResponseDto {
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
    };
  }
}
