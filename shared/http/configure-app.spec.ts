import { Body, Controller, Get, INestApplication, Module, Param, Post } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { Agent, get as httpGet, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import request from 'supertest';
import { currentRequestId } from '../context/origin';
import { loggerModule } from '../observability/logger.module';
import { configureApp, createHttpAdapter, fastifyOf, literalBadEscapes } from './configure-app';

@Controller('echo')
class EchoController {
  @Post()
  echo(@Body() body: unknown): { body: unknown; origin: string | null } {
    return { body, origin: currentRequestId() };
  }

  @Get()
  origin(): { origin: string | null } {
    return { origin: currentRequestId() };
  }

  @Get(':id')
  param(@Param('id') id: string): { id: string } {
    return { id };
  }
}

describe('configureApp on Fastify: bodies, errors and request ids', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  const json = (body: string) => http().post('/echo').set('Content-Type', 'application/json').send(body);

  beforeAll(async () => {
    @Module({
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, isGlobal: true, load: [() => ({ NODE_ENV: 'test', LOG_LEVEL: 'silent' })] }),
        loggerModule('svc-under-test', { write: () => undefined }),
      ],
      controllers: [EchoController],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication(createHttpAdapter(), { bufferLogs: true, bodyParser: false });
    configureApp(app);
    await app.init();
    await fastifyOf(app).ready();
  });

  afterAll(async () => app?.close());

  it('parses a JSON object and runs the handler with the request id as its origin', async () => {
    const res = await json('{"a":[1,2]}').set('X-Request-Id', 'req-7').expect(201);

    expect(res.body).toEqual({ body: { a: [1, 2] }, origin: 'req-7' });
    expect(res.headers['x-request-id']).toBe('req-7');
  });

  it('makes a request id when none (or an unusable one) is given, and answers with it', async () => {
    const res = await http().get('/echo').set('X-Request-Id', 'not ok: spaces').expect(200);

    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.origin).toBe(res.headers['x-request-id']);
  });

  it.each([
    ['malformed JSON', '{"a": ', /^malformed JSON body: /],
    ['a bare JSON value', '12', /^malformed JSON body: a JSON object \(\{…\}\) is expected$/],
    ['a JSON array', '[{"name":"x"}]', /^malformed JSON body: a JSON object \(\{…\}\) is expected$/],
    ['JSON nested deeper than any handler takes', `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`, /^JSON body /],
    ['a __proto__ property (dropped unseen by the validation otherwise)', '{"name":"x","__proto__":{"role":"admin"}}', /^JSON body has a property "__proto__", which no request takes$/],
    ['a nested constructor property', '{"items":[{"constructor":{"prototype":{}}}]}', /^JSON body has a property "constructor", which no request takes$/],
  ])('answers %s with 400 naming it, in the shared error shape', async (_name, body, message) => {
    const res = await json(body).expect(400);

    expect(res.body).toEqual({ statusCode: 400, message: expect.stringMatching(message), error: 'Bad Request', requestId: res.headers['x-request-id'] });
  });

  it('answers a body of another type, or none named, with 415', async () => {
    for (const type of ['text/plain', 'application/xml', '']) {
      const res = await http().post('/echo').set('Content-Type', type).send('<a/>').expect(415);
      expect(res.body).toMatchObject({ statusCode: 415, message: 'Content-Type must be application/json', error: 'Unsupported Media Type' });
    }
  });

  it('answers JSON in another charset than UTF-8 with 415 naming it', async () => {
    const res = await http().post('/echo').set('Content-Type', 'application/json; charset=latin1').send('{}').expect(415);

    expect(res.body.message).toBe('unsupported charset "latin1": JSON bodies are UTF-8');
  });

  it('answers a compressed body with 415 naming its Content-Encoding (it would read as malformed JSON)', async () => {
    const res = await json('{}').set('Content-Encoding', 'gzip').expect(415);
    // RFC 7694: a 415 for a content coding names the codings taken.
    expect(res.headers['accept-encoding']).toBe('identity');

    expect(res.body).toMatchObject({ statusCode: 415, message: 'Content-Encoding "gzip" is not supported: send the JSON body uncompressed', error: 'Unsupported Media Type' });
    await json('{"a":1}').set('Content-Encoding', 'identity').expect(201);
  });

  it('answers a body over 1 MB with 413 saying the limit', async () => {
    const res = await json(JSON.stringify({ name: 'x'.repeat(1024 * 1024) })).expect(413);

    expect(res.body).toMatchObject({ statusCode: 413, message: 'request body larger than 1 MB', error: 'Payload Too Large' });
  });

  it('answers an unknown path with 404 in the shared error shape', async () => {
    const res = await http().get('/nowhere').expect(404);

    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found', requestId: res.headers['x-request-id'] });
  });

  it.each([
    ['bad hex', '%zz', '%zz'],
    ['a truncated escape', 'ab%E0%A4%A', 'ab%E0%A4%A'],
    ['an overlong UTF-8 form', '%C0%AF', '%C0%AF'],
    ['a lone %', '%', '%'],
  ])('hands a path parameter with %s to the handler as written, through every hook (the router would answer it itself)', async (_name, raw, id) => {
    const res = await http().get(`/echo/${raw}`).set('X-Request-Id', 'bad-escape-1').expect(200);

    expect(res.body).toEqual({ id });
    expect(res.headers['x-request-id']).toBe('bad-escape-1');
  });

  it('hands a path parameter of any length Node lets in to the handler (the router refused one over 1,000 characters)', async () => {
    const id = 'x'.repeat(15_000);
    const res = await http().get(`/echo/${id}`).set('X-Request-Id', 'long-id-1').expect(200);

    expect(res.body.id).toBe(id);
    expect(res.headers['x-request-id']).toBe('long-id-1');
  });

  describe('a request Node cannot parse: answered in the shared error shape, naming the problem', () => {
    /** What the app answers to these bytes, sent as they are on a connection of their own. */
    const rawExchange = async (head: string): Promise<{ status: number; headers: string; body: Record<string, unknown> }> => {
      const server = app.getHttpServer() as Server;
      if (!server.listening) await app.listen(0, '127.0.0.1');
      const { port } = server.address() as AddressInfo;
      const text = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(Buffer.from(head, 'latin1')));
        let received = '';
        socket.on('data', (chunk) => (received += chunk.toString('utf8')));
        socket.on('close', () => resolve(received));
        socket.on('error', reject);
      });
      const [headers, body] = text.split('\r\n\r\n');
      return { status: Number(headers.split(' ')[1]), headers, body: JSON.parse(body) };
    };

    it('a raw non-ASCII byte in the path: 400 saying it must be percent-encoded, with a request id', async () => {
      const res = await rawExchange('GET /echo/caf\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n');

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        statusCode: 400,
        message: 'malformed HTTP request: the path holds a character that must be percent-encoded',
        error: 'Bad Request',
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(res.headers).toContain(`X-Request-Id: ${res.body.requestId}`);
    });

    it('a head over 16 KB: 431 saying so', async () => {
      const res = await rawExchange(`GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(17 * 1024)}\r\n\r\n`);

      expect(res.status).toBe(431);
      expect(res.body).toMatchObject({ statusCode: 431, message: 'request line and headers larger than 16 KB', error: 'Request Header Fields Too Large' });
    });
  });

  it('answers a bad escape outside any parameter with 404 in the shared error shape', async () => {
    const res = await http().get('/ec%zzho').expect(404);

    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found', requestId: res.headers['x-request-id'] });
  });
});

describe('literalBadEscapes', () => {
  it('leaves a path without escapes, or with valid ones, as it is, query string included', () => {
    for (const url of ['/users/1', '/users/caf%C3%A9?q=%zz', '/a%20b', '/x?y=%']) expect(literalBadEscapes(url)).toBe(url);
  });

  it("turns every % of a path that does not decode into %25, and keeps the query string as sent", () => {
    expect(literalBadEscapes('/users/%zz')).toBe('/users/%25zz');
    expect(literalBadEscapes('/users/%41%C0%AF?limit=%zz')).toBe('/users/%2541%25C0%25AF?limit=%zz');
  });
});

describe('configureApp on Fastify: closing with HTTP_DRAIN_MS', () => {
  it('answers a request sent on a pooled connection after the listener closed, and refuses new connections', async () => {
    @Module({
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, isGlobal: true, load: [() => ({ NODE_ENV: 'test', LOG_LEVEL: 'silent', HTTP_DRAIN_MS: 1000 })] }),
        loggerModule('svc-under-test', { write: () => undefined }),
      ],
      controllers: [EchoController],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication(createHttpAdapter(), { bufferLogs: true, bodyParser: false });
    configureApp(app);
    await app.listen(0, '127.0.0.1');
    const server = app.getHttpServer() as Server;
    const { port } = server.address() as AddressInfo;
    const pooled = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (agent: Agent) =>
      new Promise<{ status: string; connection?: string }>((resolve) => {
        httpGet({ port, host: '127.0.0.1', path: '/echo', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: String(res.statusCode), connection: res.headers.connection }));
        }).on('error', (e: NodeJS.ErrnoException) => resolve({ status: e.code ?? 'error' }));
      });
    expect((await get(pooled)).status).toBe('200');

    const closing = app.close();
    while (server.listening) await new Promise((r) => setTimeout(r, 5));
    const [onPooled, onNew] = await Promise.all([get(pooled), get(new Agent())]);
    await closing;
    pooled.destroy();

    expect(onPooled).toEqual({ status: '200', connection: 'close' });
    expect(onNew.status).toBe('ECONNREFUSED');
  });
});

describe('createHttpAdapter: the client address behind proxies', () => {
  const ipSeen = async (trustProxy: number | undefined, headers: Record<string, string>): Promise<string> => {
    const adapter = createHttpAdapter({ trustProxy });
    const fastify = adapter.getInstance();
    fastify.get('/ip', (req) => ({ ip: req.ip }));
    const res = await fastify.inject({ method: 'GET', url: '/ip', headers, remoteAddress: '10.0.0.5' });
    await fastify.close();
    return (res.json() as { ip: string }).ip;
  };

  it('believes X-Forwarded-For through exactly as many proxies as trusted', async () => {
    expect(await ipSeen(1, { 'x-forwarded-for': '203.0.113.7' })).toBe('203.0.113.7');
    // A client's own X-Forwarded-For entry in front of the proxy's is not believed with one hop.
    expect(await ipSeen(1, { 'x-forwarded-for': '198.51.100.1, 203.0.113.7' })).toBe('203.0.113.7');
    expect(await ipSeen(2, { 'x-forwarded-for': '198.51.100.1, 203.0.113.7' })).toBe('198.51.100.1');
  });

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    expect(await ipSeen(0, { 'x-forwarded-for': '203.0.113.7' })).toBe('10.0.0.5');
    expect(await ipSeen(undefined, { 'x-forwarded-for': '203.0.113.7' })).toBe('10.0.0.5');
  });
});

describe('configureApp with recordOrigin: false', () => {
  it('runs handlers without an origin (the gateway records no events)', async () => {
    @Module({
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, isGlobal: true, load: [() => ({ NODE_ENV: 'test', LOG_LEVEL: 'silent' })] }),
        loggerModule('svc-under-test', { write: () => undefined }),
      ],
      controllers: [EchoController],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication(createHttpAdapter(), { bufferLogs: true, bodyParser: false });
    configureApp(app, { recordOrigin: false });
    await app.init();
    await fastifyOf(app).ready();
    try {
      const res = await request(app.getHttpServer()).get('/echo').set('X-Request-Id', 'req-8').expect(200);
      expect(res.body).toEqual({ origin: null });
      expect(res.headers['x-request-id']).toBe('req-8');
    } finally {
      await app.close();
    }
  });
});
