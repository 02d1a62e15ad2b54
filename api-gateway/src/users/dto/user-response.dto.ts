import { ApiProperty } from '@nestjs/swagger';
import { Role, ROLES } from '../../shared/events/contracts';

/** user-service's answer, documented here; the gateway passes it through unchanged. */
export class UserResponseDto {
  @ApiProperty({ format: 'uuid', example: '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b' }) readonly id!: string;
  @ApiProperty({ example: 'john@example.com' }) readonly email!: string;
  @ApiProperty({ example: 'John Doe' }) readonly name!: string;
  @ApiProperty({ enum: ROLES, example: 'user' }) readonly role!: Role;
  @ApiProperty({ format: 'date-time', example: '2025-01-31T12:00:00.000Z' }) readonly createdAt!: string;
  @ApiProperty({ format: 'date-time', example: '2025-01-31T12:00:00.000Z' }) readonly updatedAt!: string;
}
