// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { isDatabaseUnavailable } from '../errors/database-unavailable';
import { DomainError, DomainErrorKind } from '../errors/domain-error';
import { requestIdOf } from './request-id';

const STATUS_OF_KIND: Record<DomainErrorKind, number> = {
  invalid: HttpStatus.BAD_REQUEST,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

export interface ErrorBody {
  statusCode: number;
  message: string | string[];
  error: string;
  requestId: string;
  code?: string;
}

/**
 * The one place errors become HTTP: `{ statusCode, message, error, requestId }`.
 * Unknown failures are logged with their cause and answered with "Internal server error" only.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const body = this.toBody(exception, requestIdOf(req, res));
    if (body.statusCode >= 500) this.logger.error({ err: exception, requestId: body.requestId }, 'request failed');
    if (res.headersSent) return;
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, requestId: string): ErrorBody {
    if (exception instanceof DomainError) {
      const statusCode = STATUS_OF_KIND[exception.kind];
      return { statusCode, message: exception.message, error: STATUS_CODES[statusCode] ?? 'Error', requestId, code: exception.code };
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'object' && response !== null && 'message' in response
          ? (response as { message: string | string[] }).message
          : exception.message;
      return { statusCode, message, error: STATUS_CODES[statusCode] ?? 'Error', requestId };
    }
    const bodyParser = bodyParserError(exception);
    if (bodyParser) return { ...bodyParser, requestId };
    if (isDatabaseUnavailable(exception)) {
      return { statusCode: 503, message: 'database unavailable, try again shortly', error: 'Service Unavailable', requestId };
    }
    return { statusCode: 500, message: 'Internal server error', error: 'Internal Server Error', requestId };
  }
}

/** Express' body parser throws plain errors with a `type`; they are the client's fault. */
export function bodyParserError(e: unknown): Omit<ErrorBody, 'requestId'> | null {
  const type = (e as { type?: unknown } | null)?.type;
  if (type === 'entity.too.large') return { statusCode: 413, message: 'request body larger than 1 MB', error: 'Payload Too Large' };
  if (type === 'entity.parse.failed') {
    const detail = e instanceof Error ? `: ${e.message.slice(0, 200)}` : '';
    return { statusCode: 400, message: `malformed JSON body${detail}`, error: 'Bad Request' };
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return { statusCode: 415, message: 'unsupported body encoding', error: 'Unsupported Media Type' };
  }
  return null;
}
