import { CanActivate, ExecutionContext, Injectable, UnsupportedMediaTypeException } from '@nestjs/common';
import type { Request } from 'express';

/** What the body parsers here read: the API's JSON and the pages' forms. */
export const BODY_TYPES = ['application/json', 'application/x-www-form-urlencoded'];

/**
 * A body of another type would reach its handler as nothing at all: the redrive form answered it
 * with a 500, the API with a 400 about ids that were sent. A 415 naming the types taken instead; a
 * request without a body (a logout) passes.
 */
@Injectable()
export class BodyTypeGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<Request>();
    if (req.is(BODY_TYPES) === false) {
      throw new UnsupportedMediaTypeException(`Content-Type must be ${BODY_TYPES.join(' or ')} (got ${JSON.stringify(req.headers['content-type'] ?? '')})`);
    }
    return true;
  }
}
