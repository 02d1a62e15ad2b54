import { SetMetadata } from '@nestjs/common';
import type { Role } from '../shared/events/contracts';

export const REQUIRED_ROLES = 'auth:roles';

/** The route needs one of these roles (checked by RolesGuard when AUTH_ENABLED). */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLES, roles);
