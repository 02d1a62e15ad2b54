// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { isDatabaseUnavailable } from '../errors/database-unavailable';
import { DomainError, DomainErrorKind } from '../errors/domain-error';
import { inRequestTrace } from '../observability/tracing';
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
    const req = ctx.getRequest<FastifyRequest>();
    const res = ctx.getResponse<FastifyReply>();
    const body = this.toBody(exception, requestIdOf(req.raw, res.raw));
    if (body.statusCode >= 500) inRequestTrace(req.raw, () => this.logger.error({ err: exception, requestId: body.requestId }, 'request failed'));
    if (res.sent || res.raw.headersSent) return;
    void res.status(body.statusCode).send(body);
  }

  private toBody(exception: unknown, requestId: string): ErrorBody {
    if (exception instanceof DomainError) {
      const statusCode = STATUS_OF_KIND[exception.kind];
      return { statusCode, message: exception.message, error: STATUS_CODES[statusCode] ?? 'Error', requestId, code: exception.code };
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      // Fastify's own refusals reach here as HttpExceptions with its message; its 413 (the body
      // limit, the only one these apps answer) does not say what the limit is.
      const message =
        statusCode === HttpStatus.PAYLOAD_TOO_LARGE
          ? 'request body larger than 1 MB'
          : typeof response === 'object' && response !== null && 'message' in response
            ? (response as { message: string | string[] }).message
            : exception.message;
      return { statusCode, message, error: STATUS_CODES[statusCode] ?? 'Error', requestId };
    }
    const refusal = clientRefusalOf(exception);
    if (refusal) return { ...refusal, error: STATUS_CODES[refusal.statusCode] ?? 'Error', requestId };
    if (isDatabaseUnavailable(exception)) {
      return { statusCode: 503, message: 'database unavailable, try again shortly', error: 'Service Unavailable', requestId };
    }
    return { statusCode: 500, message: 'Internal server error', error: 'Internal Server Error', requestId };
  }
}

/**
 * A refusal by an HTTP library under Nest, in http-errors' shape: a 4xx `statusCode` (or `status`)
 * with `expose: true`, its message written for the client. @fastify/send, serving Swagger UI's
 * files, refuses a path that climbs out of their folder (`/api/docs/../../etc/passwd`) with a 403.
 */
function clientRefusalOf(exception: unknown): { statusCode: number; message: string } | null {
  if (!(exception instanceof Error)) return null;
  const { statusCode, status, expose } = exception as Error & { statusCode?: unknown; status?: unknown; expose?: unknown };
  const code = statusCode ?? status;
  if (expose !== true || typeof code !== 'number' || code < 400 || code > 499) return null;
  return { statusCode: code, message: exception.message };
}
