import { ArgumentsHost, BadRequestException, HttpException, Logger, NotFoundException } from '@nestjs/common';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { DomainError } from '../errors/domain-error';

class WidgetTaken extends DomainError {
  readonly code = 'WIDGET.TAKEN';
  readonly kind = 'conflict';
}

function capture(exception: unknown) {
  const sent: { status?: number; body?: Record<string, unknown> } = {};
  const res = {
    sent: false,
    raw: { headersSent: false, hasHeader: () => false, setHeader: jest.fn() },
    status(code: number) {
      sent.status = code;
      return this;
    },
    send(body: Record<string, unknown>) {
      sent.body = body;
    },
  };
  const req = { raw: { headers: { 'x-request-id': 'req-42' } } };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ArgumentsHost;
  new AllExceptionsFilter().catch(exception, host);
  return sent;
}

describe('AllExceptionsFilter', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('maps domain errors by kind and keeps their code', () => {
    expect(capture(new WidgetTaken('widget 7 is taken'))).toEqual({
      status: 409,
      body: { statusCode: 409, message: 'widget 7 is taken', error: 'Conflict', requestId: 'req-42', code: 'WIDGET.TAKEN' },
    });
  });

  it('keeps validation messages as a list', () => {
    const sent = capture(new BadRequestException(['email must be an email']));
    expect(sent.body).toMatchObject({ statusCode: 400, message: ['email must be an email'], error: 'Bad Request' });
  });

  it('answers 404s as they were thrown', () => {
    expect(capture(new NotFoundException('no such thing')).status).toBe(404);
  });

  it('says what the body limit is in a 413 (Fastify\'s own message does not)', () => {
    expect(capture(new HttpException('Request body is too large', 413)).body).toMatchObject({
      statusCode: 413,
      message: 'request body larger than 1 MB',
      error: 'Payload Too Large',
    });
  });

  it("keeps the message of Fastify's other refusals", () => {
    expect(capture(new HttpException('Request body size did not match Content-Length', 400)).body).toMatchObject({
      statusCode: 400,
      message: 'Request body size did not match Content-Length',
    });
  });

  it("answers an HTTP library's refusal with its own 4xx and message (http-errors' shape, exposed)", () => {
    const forbidden = Object.assign(new Error('Forbidden'), { status: 403, statusCode: 403, expose: true });

    expect(capture(forbidden)).toEqual({ status: 403, body: { statusCode: 403, message: 'Forbidden', error: 'Forbidden', requestId: 'req-42' } });
  });

  it('hides a status-carrying error whose message is not meant for the client, or that is not a 4xx', () => {
    expect(capture(Object.assign(new Error('secret'), { statusCode: 400 })).status).toBe(500);
    expect(capture(Object.assign(new Error('secret'), { statusCode: 502, expose: true })).status).toBe(500);
  });

  it('answers 503 when the database is unreachable', () => {
    expect(capture(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })).status).toBe(503);
  });

  it('hides the cause of anything unexpected', () => {
    const sent = capture(new TypeError('secret internals at /srv/app.js:12'));
    expect(sent.body).toEqual({ statusCode: 500, message: 'Internal server error', error: 'Internal Server Error', requestId: 'req-42' });
  });
});
