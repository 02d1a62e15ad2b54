import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'auth:public';

/** The route needs no token, even with AUTH_ENABLED (login, register). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

export const NEEDS_SESSION = 'auth:needs-session';

/** The route acts on the caller's own session (logout, the session list): a token is needed even with auth off. */
export const NeedsSession = (): MethodDecorator & ClassDecorator => SetMetadata(NEEDS_SESSION, true);
