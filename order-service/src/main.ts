import { tracing } from './tracing';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { OrderServiceEnv, validateEnv } from './config/env';
import { configureApp } from './shared/http/configure-app';
import { connectKafkaConsumer, startConsumersInBackground } from './shared/kafka/kafka-consumer';

async function bootstrap(): Promise<void> {
  // ConfigModule validates too, but Nest would print its failure with a stack first: check here
  // so a bad variable is reported in the one line below.
  validateEnv(process.env);
  const app = await NestFactory.create(AppModule, { bufferLogs: true, bodyParser: false, abortOnError: false });
  configureApp(app);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('order-service')
      .setDescription(
        'Orders. Publishes order.created; consumes user.created (welcome order), user.deleted, payment.completed, payment.failed',
      )
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  const config = app.get<ConfigService<OrderServiceEnv, true>>(ConfigService);
  connectKafkaConsumer(app, {
    KAFKA_BROKER: config.get('KAFKA_BROKER', { infer: true }),
    KAFKA_CLIENT_ID: config.get('KAFKA_CLIENT_ID', { infer: true }),
    KAFKA_CONSUMER_GROUP: config.get('KAFKA_CONSUMER_GROUP', { infer: true }),
  });
  // Not awaited: HTTP serves (and takes orders into the outbox) while Kafka is still down.
  void startConsumersInBackground(app);
  app.enableShutdownHooks();
  await app.listen(config.get('PORT', { infer: true }));
  process.once('beforeExit', () => void tracing?.shutdown());
}

bootstrap().catch((error: unknown) => {
  // A bad environment or an unreachable database at start: say why in one line, no stack.
  console.error(`order-service failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
