// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { ValidateIf } from 'class-validator';

/**
 * An optional body field: it may be left out, but when it is sent it is validated, null included.
 * @IsOptional() skips null as well, so `{"name": null}` passed every rule and reached the service
 * (found by the DTO property tests: a PUT /api/users/:id with a null name or password was a 500).
 */
export const IsOmittable = (): PropertyDecorator => ValidateIf((_object: object, value: unknown) => value !== undefined);
