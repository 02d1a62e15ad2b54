// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { ValidateIf } from 'class-validator';

/**
 * An optional body field: it may be left out, but when it is sent it is validated, null included.
 * @IsOptional() would skip null as well, and `{"name": null}` would pass every rule and reach the
 * service, which cannot store it.
 */
export const IsOmittable = (): PropertyDecorator => ValidateIf((_object: object, value: unknown) => value !== undefined);
