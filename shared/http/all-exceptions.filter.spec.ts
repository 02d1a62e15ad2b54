import { ArgumentsHost, BadRequestException, Logger, NotFoundException } from '@nestjs/common';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { DomainError } from '../errors/domain-error';

class WidgetTaken extends DomainError {
  readonly code = 'WIDGET.TAKEN';
  readonly kind = 'conflict';
}

function capture(exception: unknown) {
  const sent: { status?: number; body?: Record<string, unknown> } = {};
  const res = {
    headersSent: false,
    setHeader: jest.fn(),
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: Record<string, unknown>) {
      sent.body = body;
    },
  };
  const req = { headers: { 'x-request-id': 'req-42' } };
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

  it('turns body-parser failures into 413 and 400', () => {
    expect(capture(Object.assign(new Error('too large'), { type: 'entity.too.large' })).status).toBe(413);
    expect(capture(Object.assign(new Error('bad json'), { type: 'entity.parse.failed' })).status).toBe(400);
  });

  it('answers 503 when the database is unreachable', () => {
    expect(capture(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })).status).toBe(503);
  });

  it('hides the cause of anything unexpected', () => {
    const sent = capture(new TypeError('secret internals at /srv/app.js:12'));
    expect(sent.body).toEqual({ statusCode: 500, message: 'Internal server error', error: 'Internal Server Error', requestId: 'req-42' });
  });
});
