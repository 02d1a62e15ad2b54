import { INestApplication, RequestMethod } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { authEnabled, corsOrigins, GatewayEnv } from './config/env';
import { sendSecurityHeaders } from './security-headers';
import { asyncApiDocument } from './shared/events/asyncapi';
import { configureApp, createHttpAdapter, fastifyOf } from './shared/http/configure-app';
import { answerUnknownMethods, exactDocument } from './shared/http/openapi';

export const API_PREFIX = 'api';

/** Headers a browser client may read besides the simple ones. */
const EXPOSED_HEADERS = ['X-Request-Id', 'X-Total-Count', 'Retry-After', 'Idempotent-Replayed'];

/** The gateway's HTTP server; the client IP (rate limits) comes from X-Forwarded-For only through TRUST_PROXY proxies. */
export function createGatewayAdapter(env: Pick<GatewayEnv, 'TRUST_PROXY'>): FastifyAdapter {
  return createHttpAdapter({ trustProxy: env.TRUST_PROXY });
}

/**
 * The gateway's HTTP surface, shared by main.ts and the tests (on an app made with
 * createGatewayAdapter): security headers (helmet), CORS, JSON-only bodies (415, shared), the
 * common pipes, filters and request ids, then `/api` for every public route (probes and metrics
 * stay at the root, where the orchestrator and Prometheus look), then Swagger at /api/docs and
 * /api/docs-json.
 */
export function setupApp(app: INestApplication): void {
  const fastify = fastifyOf(app);
  const config = app.get<ConfigService<GatewayEnv, true>>(ConfigService);
  sendSecurityHeaders(fastify, {
    // Served over plain HTTP behind a TLS proxy or on localhost: no forced upgrade of Swagger's assets.
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  const origins = corsOrigins({ CORS_ORIGINS: config.get('CORS_ORIGINS', { infer: true }), NODE_ENV: config.get('NODE_ENV', { infer: true }) });
  if (origins !== false) {
    // Every OPTIONS is answered as a preflight (strictPreflight off), as express' cors did.
    app.enableCors({ origin: origins === true ? '*' : origins, exposedHeaders: EXPOSED_HEADERS.join(','), maxAge: 600, strictPreflight: false });
  }
  configureApp(app, { requireApiKey: false, recordOrigin: false });
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('nest-ms API')
      .setDescription(
        'The public API. The gateway validates each request, then forwards it to user-service, order-service or ' +
          'payment-service. Every error has the body {statusCode, message, error, requestId}. ' +
          'Lists answer with an array and the total in X-Total-Count. With AUTH_ENABLED (default in production) ' +
          'every route but /api/auth/* needs `Authorization: Bearer <token>` from POST /api/auth/login or /register; ' +
          'too many requests answer 429 with Retry-After. ' +
          `The events between the services are described in AsyncAPI 3.0 at [/${API_PREFIX}/docs/asyncapi.json](/${API_PREFIX}/docs/asyncapi.json).`,
      )
      .setVersion('1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  const auth = authEnabled({ AUTH_ENABLED: config.get('AUTH_ENABLED', { infer: true }), NODE_ENV: config.get('NODE_ENV', { infer: true }) });
  exactDocument(document, { security: auth ? { scheme: 'bearer', description: 'No valid bearer token', all: false } : undefined });
  answerUnknownMethods(app, document);
  // The whole AsyncAPI document (every topic), generated from shared/events like each service's own.
  const events = asyncApiDocument();
  fastify.get(`/${API_PREFIX}/docs/asyncapi.json`, (_req, reply) => reply.send(events));
  SwaggerModule.setup(`${API_PREFIX}/docs`, app, document, { jsonDocumentUrl: `${API_PREFIX}/docs-json` });
}
