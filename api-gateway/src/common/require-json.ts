import type { NextFunction, Request, Response } from 'express';
import { requestIdOf } from '../shared/http/request-id';

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Every body the API takes is JSON: a POST/PUT/PATCH that carries a body of another type is a
 * 415 before anything reads it (express' JSON parser would skip it and validation would then
 * answer a puzzling 400). Requests without a body are left to validation.
 */
export function requireJsonBodies(req: Request, res: Response, next: NextFunction): void {
  if (!WITH_BODY.has(req.method) || !hasBody(req) || JSON_TYPE.test(req.headers['content-type'] ?? '')) return next();
  res.status(415).json({
    statusCode: 415,
    message: 'Content-Type must be application/json',
    error: 'Unsupported Media Type',
    requestId: requestIdOf(req, res),
  });
}

function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}
