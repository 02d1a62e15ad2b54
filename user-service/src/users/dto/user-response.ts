import type { UserResponseDto } from '../../shared/dto/users';
import { User } from '../user.entity';

/** What a client sees of a user: never the password or its hash. */
export function toUserResponse(user: User): UserResponseDto {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
