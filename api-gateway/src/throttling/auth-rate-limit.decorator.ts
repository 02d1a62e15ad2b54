import { SetMetadata } from '@nestjs/common';

export const AUTH_RATE_LIMITED = 'throttle:auth';

/** Also counts against the tight `auth` limit (THROTTLE_AUTH_LIMIT per THROTTLE_AUTH_TTL_MS, per route and IP). */
export const AuthRateLimit = (): MethodDecorator & ClassDecorator => SetMetadata(AUTH_RATE_LIMITED, true);
