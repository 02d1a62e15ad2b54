import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { closedPortUrl } from '../test/support/fake-upstream';
import { startGateway } from '../test/support/gateway';

interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string; type?: string; items?: { $ref?: string } } }>; headers?: Record<string, unknown> }>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>>; required?: string[] }>; securitySchemes?: unknown };
}

const ref = (name: string) => `#/components/schemas/${name}`;

/** Every public route: [method, path, request body schema, success status, success schema, error statuses]. */
const ROUTES: [string, string, string | null, string, string, string[]][] = [
  ['post', '/api/auth/register', 'RegisterDto', '201', 'AuthResponseDto', ['400', '403', '409', '413', '415', '422', '429', '502', '503', '504']],
  ['post', '/api/auth/login', 'LoginDto', '200', 'AuthResponseDto', ['400', '401', '413', '415', '429', '502', '503', '504']],
  ['post', '/api/auth/refresh', 'RefreshDto', '200', 'AuthResponseDto', ['400', '401', '413', '415', '429', '502', '503', '504']],
  ['post', '/api/auth/logout', null, '204', '', ['400', '401', '429', '502', '503', '504']],
  ['get', '/api/auth/sessions', null, '200', '[SessionDto]', ['400', '401', '429', '502', '503', '504']],
  ['delete', '/api/auth/sessions/{id}', null, '204', '', ['400', '401', '404', '429', '502', '503', '504']],
  ['post', '/api/users', 'CreateUserDto', '201', 'UserResponseDto', ['400', '401', '403', '409', '413', '415', '422', '429', '502', '503', '504']],
  ['get', '/api/users', null, '200', '[UserResponseDto]', ['400', '401', '403', '429', '502', '503', '504']],
  ['get', '/api/users/{id}', null, '200', 'UserResponseDto', ['400', '401', '403', '404', '429', '502', '503', '504']],
  ['put', '/api/users/{id}', 'UpdateUserDto', '200', 'UserResponseDto', ['400', '401', '403', '404', '409', '413', '415', '429', '502', '503', '504']],
  ['delete', '/api/users/{id}', null, '204', '', ['400', '401', '403', '404', '429', '502', '503', '504']],
  ['post', '/api/orders', 'CreateOrderDto', '201', 'OrderResponseDto', ['400', '401', '403', '409', '413', '415', '422', '429', '502', '503', '504']],
  ['get', '/api/orders', null, '200', '[OrderResponseDto]', ['400', '401', '403', '429', '502', '503', '504']],
  ['get', '/api/orders/{id}', null, '200', 'OrderResponseDto', ['400', '401', '404', '429', '502', '503', '504']],
  ['post', '/api/orders/{id}/cancel', null, '200', 'OrderResponseDto', ['400', '401', '404', '409', '422', '429', '502', '503', '504']],
  ['get', '/api/payments', null, '200', '[PaymentResponseDto]', ['400', '401', '429', '502', '503', '504']],
  ['get', '/api/payments/{id}', null, '200', 'PaymentResponseDto', ['400', '401', '404', '429', '502', '503', '504']],
];

describe('the OpenAPI document at /api/docs-json', () => {
  let app: INestApplication;
  let doc: OpenApi;

  beforeAll(async () => {
    const nowhere = await closedPortUrl();
    app = await startGateway({ USER_SERVICE_URL: nowhere, ORDER_SERVICE_URL: nowhere, PAYMENT_SERVICE_URL: nowhere });
    const res = await request(app.getHttpServer()).get('/api/docs-json').expect(200);
    doc = res.body as OpenApi;
  });
  afterAll(() => app?.close());

  it('lists exactly the public routes (no health, no metrics)', () => {
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(listed.sort()).toEqual(ROUTES.map(([m, p]) => `${m} ${p}`).sort());
  });

  describe.each(ROUTES)('%s %s', (method, path, body, okStatus, okSchema, errors) => {
    const op = () => doc.paths[path][method];

    it(body ? `takes a ${body}` : 'takes no body', () => {
      if (body) expect(op().requestBody?.content['application/json'].schema.$ref).toBe(ref(body));
      else expect(op().requestBody).toBeUndefined();
    });

    it(`answers ${okStatus} ${okSchema || '(no body)'}`, () => {
      const ok = op().responses[okStatus];
      expect(ok).toBeDefined();
      if (!okSchema) return expect(ok.content).toBeUndefined();
      const schema = ok.content!['application/json'].schema;
      if (okSchema.startsWith('[')) {
        expect(schema).toMatchObject({ type: 'array', items: { $ref: ref(okSchema.slice(1, -1)) } });
        // Paged lists say their total; the session list is never paged (a few logins at most).
        if (path !== '/api/auth/sessions') expect(ok.headers).toHaveProperty('X-Total-Count');
      } else {
        expect(schema.$ref).toBe(ref(okSchema));
      }
    });

    it(`documents the errors ${errors.join(', ')} with the error body`, () => {
      const documented = Object.keys(op().responses).filter((s) => s.startsWith('4') || s.startsWith('5'));
      expect(documented.sort()).toEqual([...errors].sort());
      for (const status of errors) {
        expect(op().responses[status].content!['application/json'].schema.$ref).toBe(ref('ErrorResponseDto'));
      }
    });

    it('documents the X-Request-Id header', () => {
      expect(op().parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'X-Request-Id', in: 'header' })]));
    });
  });

  it.each([
    ['/api/auth/register', '201'],
    ['/api/users', '201'],
    ['/api/orders', '201'],
    ['/api/orders/{id}/cancel', '200'],
  ])('documents the Idempotency-Key of POST %s and the replay header', (path, success) => {
    const op = doc.paths[path].post as unknown as {
      parameters: { name: string; in: string; required?: boolean; schema: Record<string, unknown> }[];
      responses: Record<string, { description: string; headers?: Record<string, unknown> }>;
    };
    expect(op.parameters.find((p) => p.name === 'Idempotency-Key')).toMatchObject({
      in: 'header',
      required: false,
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]{1,255}$' },
    });
    expect(op.responses[success].headers).toHaveProperty('Idempotent-Replayed');
    expect(op.responses['409'].description).toMatch(/Idempotency-Key is still being processed/);
    expect(op.responses['422'].description).toMatch(/Idempotency-Key was already used with a different body/);
  });

  it('documents no Idempotency-Key where none is taken', () => {
    const names = ((doc.paths['/api/users/{id}'].put.parameters ?? []) as { name: string }[]).map((p) => p.name);
    expect(names).not.toContain('Idempotency-Key');
  });

  it('documents paging and filters as query parameters', () => {
    const queryOf = (path: string) => (doc.paths[path].get.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name).sort();
    expect(queryOf('/api/users')).toEqual(['limit', 'offset']);
    expect(queryOf('/api/orders')).toEqual(['limit', 'offset', 'userId']);
    expect(queryOf('/api/payments')).toEqual(['limit', 'offset', 'orderId']);
  });

  it('describes the order item rules', () => {
    const item = doc.components.schemas.OrderItemDto.properties;
    expect(item.productId).toMatchObject({ type: 'string', pattern: '^product-[a-zA-Z0-9-]+$' });
    expect(item.quantity).toMatchObject({ type: 'integer', minimum: 1, maximum: 9999 });
    expect(item.price).toMatchObject({ type: 'number', minimum: 0.01, maximum: 999999.99, multipleOf: 0.01 });
    expect(doc.components.schemas.CreateOrderDto.properties.items).toMatchObject({ type: 'array', items: { $ref: ref('OrderItemDto') } });
  });

  it('links the AsyncAPI document of the events, and serves it', async () => {
    expect((doc as unknown as { info: { description: string } }).info.description).toContain('/api/docs/asyncapi.json');
    const events = await request(app.getHttpServer()).get('/api/docs/asyncapi.json').expect(200);
    expect(events.body).toMatchObject({ asyncapi: '3.0.0' });
    // Every topic and its dead-letter topic.
    expect(Object.keys(events.body.channels)).toHaveLength(20);
  });

  it('declares no security with auth off: no route asks for a token', () => {
    expect(doc.components.securitySchemes).toBeUndefined();
    for (const [method, path] of ROUTES) expect((doc.paths[path][method] as { security?: unknown }).security).toBeUndefined();
  });

  it('closes request bodies: unknown fields are refused, and the document says so', () => {
    for (const name of ['RegisterDto', 'LoginDto', 'CreateUserDto', 'UpdateUserDto', 'CreateOrderDto', 'OrderItemDto']) {
      expect(doc.components.schemas[name]).toMatchObject({ additionalProperties: false });
    }
  });

  it('describes sign-up and login', () => {
    const props = (name: string) => Object.keys(doc.components.schemas[name].properties).sort();
    expect(props('RegisterDto')).toEqual(['email', 'name', 'password', 'role']);
    expect(doc.components.schemas.RegisterDto.properties.role).toMatchObject({ enum: ['user'] });
    expect(props('LoginDto')).toEqual(['email', 'password']);
    expect(props('AuthResponseDto')).toEqual(['accessToken', 'expiresIn', 'refreshExpiresAt', 'refreshToken', 'sessionId', 'tokenType', 'user']);
  });

  it('describes the shapes of users, orders, payments and errors', () => {
    const props = (name: string) => Object.keys(doc.components.schemas[name].properties).sort();
    expect(props('CreateUserDto')).toEqual(['email', 'name', 'password', 'role']);
    expect(props('UserResponseDto')).toEqual(['createdAt', 'email', 'id', 'name', 'role', 'updatedAt']);
    expect(props('OrderResponseDto')).toEqual(['createdAt', 'history', 'id', 'items', 'kind', 'status', 'totalAmount', 'updatedAt', 'userId']);
    expect(props('OrderStatusChangeDto')).toEqual(['at', 'from', 'to', 'trigger']);
    expect(props('PaymentResponseDto')).toEqual(['amount', 'createdAt', 'failureReason', 'id', 'orderId', 'refund', 'status', 'userId']);
    expect(props('RefundResponseDto')).toEqual(['amount', 'attempts', 'createdAt', 'failureReason', 'id', 'status', 'updatedAt']);
    expect(doc.components.schemas.ErrorResponseDto.required).toEqual(expect.arrayContaining(['statusCode', 'message', 'error', 'requestId']));
  });
});
