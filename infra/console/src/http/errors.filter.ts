import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { ConsoleRequest } from '../auth/admin.guard';
import { BadRedriveRequestError, UnknownDeadLetterError } from '../dead-letters/dead-letters.service';
import { UnknownTopicError } from '../kafka/message-index';
import { errorPage } from '../pages/views/error.view';

/**
 * Every error as the services answer them (`{ statusCode, message, error, requestId }`) on the API,
 * and as a page on the pages; a 500 says only "internal error" and logs the cause.
 */
@Catch()
export class ErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ErrorsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<ConsoleRequest>();
    const res = host.switchToHttp().getResponse<Response>();
    const requestId = req.id ?? randomUUID();
    const { status, error, message } = this.describe(exception, requestId);
    const wantsPage = !/^\/(api|health|metrics)(\/|$|\?)/.test(req.path) && req.method !== 'OPTIONS';
    if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    if (wantsPage) {
      res.status(status).type('html').send(errorPage(status, error, Array.isArray(message) ? message.join('; ') : message, req.originalUrl));
      return;
    }
    res.status(status).json({ statusCode: status, message, error, requestId });
  }

  private describe(exception: unknown, requestId: string): { status: number; error: string; message: string | string[] } {
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : ((body as { message?: string | string[] }).message ?? exception.message);
      return { status: exception.getStatus(), error: httpError(exception.getStatus()), message };
    }
    if (exception instanceof UnknownDeadLetterError || exception instanceof UnknownTopicError) return { status: 404, error: 'Not Found', message: exception.message };
    if (exception instanceof BadRedriveRequestError) return { status: 400, error: 'Bad Request', message: exception.message };
    if (isKafkaError(exception)) {
      return { status: 503, error: 'Service Unavailable', message: `Kafka unavailable: ${(exception as Error).message}` };
    }
    this.logger.error({ err: exception, requestId }, 'unhandled error');
    return { status: 500, error: 'Internal Server Error', message: 'internal error' };
  }
}

const isKafkaError = (e: unknown): boolean => e instanceof Error && /^Kafka/.test(e.name);

function httpError(status: number): string {
  const names: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 503: 'Service Unavailable' };
  return names[status] ?? (status >= 500 ? 'Internal Server Error' : 'Error');
}
