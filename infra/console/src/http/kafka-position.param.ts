import { BadRequestException, createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/**
 * A partition or offset in the path, as the integer it names, or a 400 naming what was sent.
 * ParseIntPipe, like the global ValidationPipe's transform, would read `99999999999999999999` as
 * 100000000000000000000, `1e3` as 1000 and `-1` as -1; a custom decorator's value is one the
 * global pipe leaves alone.
 */
export const KafkaPosition = createParamDecorator((name: 'partition' | 'offset', ctx: ExecutionContext): number => {
  const value = String(ctx.switchToHttp().getRequest<Request>().params[name] ?? '');
  const position = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(position)) {
    throw new BadRequestException(`${name} must be an integer from 0 to ${Number.MAX_SAFE_INTEGER} (got "${value.slice(0, 40)}")`);
  }
  return position;
});
