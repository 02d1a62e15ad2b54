import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'console:public';
/** Open even with AUTH_ENABLED: probes, metrics and the login page. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
