import { INestApplication, RequestMethod } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { configureApp } from './shared/http/configure-app';

export const API_PREFIX = 'api';

/**
 * The gateway's HTTP surface, shared by main.ts and the tests: the common pipes, filters and
 * request ids, then `/api` for every public route (probes and metrics stay at the root, where
 * the orchestrator and Prometheus look), then Swagger at /api/docs and /api/docs-json.
 */
export function setupApp(app: INestApplication): void {
  configureApp(app, { requireApiKey: false });
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  const config = new DocumentBuilder()
    .setTitle('nest-ms API')
    .setDescription(
      'The public API. The gateway validates each request, then forwards it to user-service, order-service or ' +
        'payment-service. Every error has the body {statusCode, message, error, requestId}. ' +
        'Lists answer with an array and the total in X-Total-Count.',
    )
    .setVersion('1.0')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(`${API_PREFIX}/docs`, app, document, { jsonDocumentUrl: `${API_PREFIX}/docs-json` });
}
