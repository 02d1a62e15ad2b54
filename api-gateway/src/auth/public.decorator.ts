import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'auth:public';

/** The route needs no token, even with AUTH_ENABLED (login, register). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
