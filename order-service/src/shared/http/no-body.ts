// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { BadRequestException, createParamDecorator, ExecutionContext } from '@nestjs/common';

/**
 * For a route that reads no body (a cancel, a logout, a delete): a body holding any property is a
 * 400 naming it, as the validation names an unknown field on routes that take one, instead of being
 * dropped in silence (a client sending a cancel `reason` would believe it kept). No body, or `{}`,
 * passes: what clients and Swagger UI send. Only the routes that use it pay for the check.
 */
export const NoBody = createParamDecorator((_: unknown, ctx: ExecutionContext): undefined => {
  const body = ctx.switchToHttp().getRequest<{ body?: unknown }>().body;
  const names = body !== null && typeof body === 'object' ? Object.keys(body) : [];
  if (names.length > 0) throw new BadRequestException(names.slice(0, 10).map((name) => `property ${name.slice(0, 40)} should not exist: this route takes no body`));
  return undefined;
});
