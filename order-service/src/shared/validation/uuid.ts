// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * Any UUID in its text form, whatever its version or variant: what the documents' `format: uuid`
 * means (RFC 9562's syntax), and what a PostgreSQL uuid column stores. Ids this system makes are
 * v4, but a client may hold ids of any version.
 */
export const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const isAnyUuid = (value: unknown): value is string => typeof value === 'string' && UUID_PATTERN.test(value);

export function IsAnyUuid(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'isAnyUuid', validator: { validate: isAnyUuid, defaultMessage: (args) => `${args?.property ?? 'value'} must be a UUID` } },
    options,
  );
}

/** Path ids: anything but a UUID is a 400 before any query runs. */
@Injectable()
export class UuidParamPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (isAnyUuid(value)) return value;
    throw new BadRequestException('id must be a UUID');
  }
}
