import { Body, Controller, Get, INestApplication, InternalServerErrorException, Logger as NestLogger, Module, Post } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { KafkaContext } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { context, propagation, Span, trace, TraceFlags } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { KafkaMessage } from 'kafkajs';
import { Logger } from 'nestjs-pino';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { Contracts } from '../events/contracts';
import { createHttpAdapter, fastifyOf } from '../http/configure-app';
import { anEventProcessor } from '../kafka/consumers.testing';
import { EventEmitter } from 'node:events';
import { endedAtExit, linesInBlocks, loggerModule, logRequests, rootLoggerOf } from './logger.module';

type Line = Record<string, unknown>;

/** A pino destination that keeps the lines. */
class Lines {
  readonly all: Line[] = [];
  write(chunk: string): void {
    for (const text of chunk.split('\n').filter(Boolean)) this.all.push(JSON.parse(text) as Line);
  }
  withMessage(msg: string): Line[] {
    return this.all.filter((l) => l.msg === msg);
  }
}

/** A span with known ids, standing in for the one OpenTelemetry's http or kafkajs instrumentation makes. */
function aSpan(): Span {
  return trace.wrapSpanContext({ traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: TraceFlags.SAMPLED });
}

@Controller('probe')
class ProbeController {
  private readonly logger = new NestLogger('Probe');

  @Get()
  probe(): { ok: true } {
    this.logger.log({ step: 1 }, 'inside the request');
    return { ok: true };
  }

  @Post()
  take(@Body() body: { n: number }): { ok: true } {
    this.logger.log({ n: body.n }, 'inside a request with a body');
    return { ok: true };
  }

  @Get('fail')
  fail(): never {
    throw new InternalServerErrorException('broken on purpose');
  }

  @Get('slow')
  async slow(): Promise<{ ok: true }> {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { ok: true };
  }
}

@Controller('health')
class HealthController {
  @Get('live')
  live(): { ok: true } {
    return { ok: true };
  }
}

describe('loggerModule: every line of a request or of an event handler says whose it is', () => {
  const lines = new Lines();
  let app: INestApplication;
  const spans = new Map<string, Span>();
  let port: number | undefined;
  /** For requests supertest cannot make (a body sent late, a hang-up): the app listening on a port of its own. */
  const listeningPort = async () => (port ??= (await app.listen(0, '127.0.0.1'), (app.getHttpServer().address() as AddressInfo).port));

  beforeAll(async () => {
    // The context manager the SDK installs (AsyncLocalStorage): the active span follows async work.
    new NodeTracerProvider().register();
    @Module({
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, isGlobal: true, load: [() => ({ NODE_ENV: 'test', LOG_LEVEL: 'info' })] }),
        loggerModule('svc-under-test', lines),
      ],
      controllers: [ProbeController, HealthController],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication(createHttpAdapter(), { bufferLogs: true });
    // What traceRequests does for each request: a server span, active while it runs.
    fastifyOf(app).addHook('onRequest', (req, _reply, done) => {
      const span = aSpan();
      spans.set(String(req.headers['x-request-id']), span);
      context.with(trace.setSpan(context.active(), span), done);
    });
    // What configureApp does: each request's logger and access line.
    logRequests(fastifyOf(app), rootLoggerOf(app));
    app.useLogger(app.get(Logger));
    await app.init();
    await fastifyOf(app).ready();
  });

  afterAll(async () => {
    await app?.close();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('HTTP: service, requestId, traceId and spanId on the handler line and on the request line', async () => {
    const requestId = `req-${randomUUID()}`;
    await request(app.getHttpServer()).get('/probe').set('X-Request-Id', requestId).expect(200);
    const span = spans.get(requestId)!.spanContext();
    const expected = { service: 'svc-under-test', requestId, traceId: span.traceId, spanId: span.spanId };
    expect(lines.withMessage('inside the request').find((l) => l.requestId === requestId)).toMatchObject({ ...expected, step: 1 });
    const accessLine = lines.withMessage('request completed').find((l) => l.requestId === requestId);
    expect(accessLine).toMatchObject(expected);
    // The request and the answer, and nothing more of them (no headers: they may carry secrets).
    expect(accessLine).toMatchObject({ req: { id: requestId, method: 'GET', url: '/probe' }, res: { statusCode: 200 } });
    expect(Object.keys((accessLine as unknown as { req: object }).req).sort()).toEqual(['id', 'method', 'url']);
  });

  it('HTTP: the access line has the URL as the client sent it, a bad escape included', async () => {
    const requestId = `req-${randomUUID()}`;
    await request(app.getHttpServer()).get('/probe/%zz?x=%zz').set('X-Request-Id', requestId).expect(404);

    const accessLine = lines.withMessage('request completed').find((l) => l.requestId === requestId);
    expect(accessLine).toMatchObject({ req: { url: '/probe/%zz?x=%zz' }, res: { statusCode: 404 } });
  });

  it('HTTP: the access line says how the request ended: a 5xx errored, a hang-up aborted; probes get none', async () => {
    const failed = `req-${randomUUID()}`;
    await request(app.getHttpServer()).get('/probe/fail').set('X-Request-Id', failed).expect(500);
    const probe = `req-${randomUUID()}`;
    await request(app.getHttpServer()).get('/health/live').set('X-Request-Id', probe).expect(200);
    const hungUp = `req-${randomUUID()}`;
    const port = await listeningPort();
    await new Promise<void>((resolve) => {
      const req = http.get({ port, host: '127.0.0.1', path: '/probe/slow', headers: { 'x-request-id': hungUp } });
      req.on('error', () => resolve());
      setTimeout(() => req.destroy(), 50);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));

    const byId = (id: string) => lines.all.filter((l) => (l.req as { id?: string } | undefined)?.id === id);
    expect(byId(failed)).toEqual([expect.objectContaining({ msg: 'request errored', requestId: failed, res: { statusCode: 500 }, responseTime: expect.any(Number) })]);
    // Its trace too, though the hang-up, not the handler, ends it.
    const hungUpTrace = spans.get(hungUp)!.spanContext().traceId;
    expect(byId(hungUp)).toEqual([
      expect.objectContaining({ msg: 'request aborted', requestId: hungUp, traceId: hungUpTrace, req: { id: hungUp, method: 'GET', url: '/probe/slow' } }),
    ]);
    expect(byId(probe)).toEqual([]);
  });

  it('HTTP with a body that arrives after its headers: the same on the handler line', async () => {
    const requestId = `req-${randomUUID()}`;
    const port = await listeningPort();
    await new Promise<void>((resolve, reject) => {
      const req = http.request(
        { port, host: '127.0.0.1', path: '/probe', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '7', 'x-request-id': requestId } },
        (res) => res.resume().on('end', resolve),
      );
      req.on('error', reject);
      req.flushHeaders();
      setTimeout(() => req.end('{"n":1}'), 30);
    });
    const span = spans.get(requestId)!.spanContext();
    expect(lines.withMessage('inside a request with a body').find((l) => l.n === 1)).toMatchObject({ requestId, traceId: span.traceId, spanId: span.spanId });
  });

  it("event handler: the event's requestId, eventId and topic, and the consumer span's trace", async () => {
    const { processor, producer } = anEventProcessor();
    const sent = producer.sent;
    const event = {
      eventId: randomUUID(),
      type: 'UserDeleted',
      version: 1,
      occurredAt: new Date().toISOString(),
      requestId: `req-${randomUUID()}`,
      data: { userId: randomUUID() },
    };
    const message = { key: event.data.userId, value: event, headers: {}, offset: '3', timestamp: '0', attributes: 0 } as unknown as KafkaMessage;
    const ctx = new KafkaContext([message, 0, 'user.deleted', {} as never, async () => undefined, {} as never]);
    const consumerSpan = aSpan();
    const handlerLogger = new NestLogger('Handler');

    await context.with(trace.setSpan(context.active(), consumerSpan), () =>
      processor.process(Contracts.UserDeleted, 'test.consumer', event, ctx, async () => {
        await new Promise((r) => setImmediate(r));
        handlerLogger.log({ userId: event.data.userId }, 'handling the event');
      }),
    );

    const expected = {
      service: 'svc-under-test',
      requestId: event.requestId,
      eventId: event.eventId,
      topic: 'user.deleted',
      traceId: consumerSpan.spanContext().traceId,
      spanId: consumerSpan.spanContext().spanId,
    };
    expect(lines.withMessage('handling the event').find((l) => l.eventId === event.eventId)).toMatchObject(expected);
    expect(lines.withMessage('UserDeleted processed').find((l) => l.eventId === event.eventId)).toMatchObject({ ...expected, outcome: 'processed' });
    expect(sent).toEqual([]);
  });

  it('a message that cannot be parsed is parked with the request id of its header on the lines', async () => {
    const { processor, producer } = anEventProcessor();
    const sent = producer.sent;
    const requestId = `req-${randomUUID()}`;
    const message = { key: null, value: 'not json', headers: { 'x-request-id': Buffer.from(requestId) }, offset: '9', timestamp: '0', attributes: 0 } as unknown as KafkaMessage;
    const ctx = new KafkaContext([message, 1, 'user.deleted', {} as never, async () => undefined, {} as never]);

    await context.with(trace.setSpan(context.active(), aSpan()), () =>
      processor.process(Contracts.UserDeleted, 'test.consumer', 'not json', ctx, async () => undefined),
    );

    expect(sent).toHaveLength(1);
    expect(lines.withMessage('message dead-lettered').find((l) => l.requestId === requestId)).toMatchObject({
      service: 'svc-under-test',
      topic: 'user.deleted',
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });

  it('never writes a secret', () => {
    const logger = app.get(Logger);
    // (object, message, context): nestjs-pino's form of pino's logger.info(object, message)
    logger.log({ password: 'hunter2', user: { passwordHash: 'hash', token: 'tok' } }, 'with secrets', 'Secrets');
    const line = lines.withMessage('with secrets')[0];
    expect(line).toMatchObject({ password: '[redacted]', user: { passwordHash: '[redacted]', token: '[redacted]' } });
    expect(JSON.stringify(line)).not.toMatch(/hunter2|hash"|tok"/);
  });
});

describe('linesInBlocks: log lines written to stdout in blocks', () => {
  const aSink = () => {
    const writes: string[] = [];
    return { writes, write: (text: string) => void writes.push(text) };
  };

  it('writes the lines of a quiet moment together, in order, once the block time has passed', async () => {
    const sink = aSink();
    const blocks = linesInBlocks(sink, 1024, 10);
    blocks.write('{"n":1}\n');
    blocks.write('{"n":2}\n');
    expect(sink.writes).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(sink.writes).toEqual(['{"n":1}\n{"n":2}\n']);
  });

  it('writes a block as soon as it is full, without waiting for the timer', () => {
    const sink = aSink();
    const blocks = linesInBlocks(sink, 16, 60_000);
    blocks.write('{"n":1}\n');
    blocks.write('{"n":2}\n');
    expect(sink.writes).toEqual(['{"n":1}\n{"n":2}\n']);
    blocks.write('{"n":3}\n');
    blocks.flush();
    expect(sink.writes).toEqual(['{"n":1}\n{"n":2}\n', '{"n":3}\n']);
    blocks.flush();
    expect(sink.writes).toHaveLength(2);
  });

  it('writes what it holds when the process exits, and has the sink write it synchronously', () => {
    const sink = { ...aSink(), flushedSync: 0, flushSync() { this.flushedSync += 1; } };
    const exiting = new EventEmitter();
    const blocks = endedAtExit(linesInBlocks(sink, 1024, 60_000), exiting);
    blocks.write('{"msg":"last words"}\n');
    expect(sink.writes).toEqual([]);
    exiting.emit('exit', 1);
    expect(sink.writes).toEqual(['{"msg":"last words"}\n']);
    expect(sink.flushedSync).toBe(1);
  });
});
