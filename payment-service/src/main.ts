import { tracing } from './tracing';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { PaymentServiceEnv, validateEnv } from './config/env';
import { configureApp } from './shared/http/configure-app';
import { connectKafkaConsumer, startConsumersInBackground } from './shared/kafka/kafka-consumer';

async function bootstrap(): Promise<void> {
  // Checked before Nest starts so a bad variable is reported in one line (ConfigModule checks it again).
  validateEnv(process.env);
  // abortOnError: false: a failed start (database unreachable) reaches the catch below, exit code 1.
  const app = await NestFactory.create(AppModule, { bufferLogs: true, bodyParser: false, abortOnError: false });
  configureApp(app);
  const config = app.get<ConfigService<PaymentServiceEnv, true>>(ConfigService);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('payment-service')
      .setDescription('Pays orders: consumes order.created, publishes payment.completed and payment.failed')
      // Required when API_KEY is set (always in production); the gateway sends it.
      .addApiKey({ type: 'apiKey', name: 'X-API-Key', in: 'header' }, 'api-key')
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  // A hybrid app: HTTP serves at once; the order.created consumer joins whenever Kafka answers.
  connectKafkaConsumer(app, {
    KAFKA_BROKER: config.get('KAFKA_BROKER', { infer: true }),
    KAFKA_CLIENT_ID: config.get('KAFKA_CLIENT_ID', { infer: true }),
    KAFKA_CONSUMER_GROUP: config.get('KAFKA_CONSUMER_GROUP', { infer: true }),
  });
  void startConsumersInBackground(app);
  app.enableShutdownHooks();
  await app.listen(config.get('PORT', { infer: true }));
  process.once('beforeExit', () => void tracing?.shutdown());
}

bootstrap().catch((error: unknown) => {
  // A bad environment or an unreachable database at start: say why in one line, no stack.
  console.error(`payment-service failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
