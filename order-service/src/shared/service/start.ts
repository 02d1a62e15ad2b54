// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { INestApplication, Type } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { DatabaseEnv } from '../config/env';
import { ErrorResponseDto } from '../dto/error-response';
import { asyncApiDocument } from '../events/asyncapi';
import { configureApp, createHttpAdapter, fastifyOf } from '../http/configure-app';
import { listenOnAllInterfaces } from '../http/listen';
import { answerUnknownMethods, exactDocument } from '../http/openapi';
import type { KafkaEnv } from '../kafka/kafka-client';
import { KAFKA_SETTINGS } from '../kafka/kafka-settings';
import { trimMemoryWhenIdle } from '../observability/idle-memory';
import { connectKafkaConsumer, startConsumersInBackground } from '../kafka/kafka-consumer';
import { ServiceDefinition } from './definition';

export interface StartOptions {
  /** The app's tracing (started by the first import of its main.ts), flushed at exit. */
  readonly tracing: { shutdown(): Promise<void> } | null;
  /** Work after the app is built and before it takes requests (user-service: the first admin). */
  readonly beforeListen?: (app: INestApplication) => Promise<void>;
}

/**
 * A service's main.ts: check the environment, build the app, document it (/docs, behind the API
 * key like the rest), start its consumer without holding up HTTP, listen. A failed start is one
 * line naming why, and exit code 1.
 */
export function startService(appModule: Type, service: ServiceDefinition, options: StartOptions): void {
  start(appModule, service, options).catch((error: unknown) => {
    console.error(`${service.name} failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}

async function start(appModule: Type, service: ServiceDefinition, options: StartOptions): Promise<void> {
  // Checked before Nest starts: Nest would print a failure with its stack first.
  service.validateEnv(process.env);
  // abortOnError: false lets a failed start (database unreachable) reach the one-line report.
  const app = await NestFactory.create(appModule, createHttpAdapter(), { bufferLogs: true, bodyParser: false, abortOnError: false });
  configureApp(app);
  const config = app.get<ConfigService<DatabaseEnv, true>>(ConfigService);
  const apiKey = app.get(ConfigService, { strict: false }).get<string>('API_KEY');
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(service.name)
      .setDescription(service.description)
      // Required when API_KEY is set (always in production); the gateway sends it.
      .addApiKey({ type: 'apiKey', name: 'X-API-Key', in: 'header' }, 'api-key')
      .build(),
    { extraModels: [ErrorResponseDto] },
  );
  exactDocument(document, { security: apiKey ? { scheme: 'api-key', description: 'Missing or wrong X-API-Key', all: true } : undefined });
  answerUnknownMethods(app, document);
  // The channels this service publishes and consumes, generated from shared/events; behind the API
  // key like /docs (configureApp guards the /docs prefix).
  const events = asyncApiDocument(service.name);
  fastifyOf(app).get('/docs/asyncapi.json', (_req, reply) => reply.send(events));
  SwaggerModule.setup('docs', app, document);
  if (service.consumesEvents) {
    connectKafkaConsumer(app, app.get<KafkaEnv>(KAFKA_SETTINGS));
    // Not awaited: HTTP serves (and takes writes into the outbox) while Kafka is still down.
    void startConsumersInBackground(app);
  }
  app.enableShutdownHooks();
  await options.beforeListen?.(app);
  await listenOnAllInterfaces(app, config.get('PORT', { infer: true }));
  trimMemoryWhenIdle();
  process.once('beforeExit', () => void options.tracing?.shutdown());
}
