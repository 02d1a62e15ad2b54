import { tracing } from './tracing';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { GatewayEnv, validateEnv } from './config/env';
import { listenOnAllInterfaces } from './shared/http/listen';
import { trimMemoryWhenIdle } from './shared/observability/idle-memory';
import { createGatewayAdapter, setupApp } from './setup-app';

async function bootstrap(): Promise<void> {
  // ConfigModule validates too, but Nest would print its failure with a stack first: check here
  // so a bad variable is reported in the one line below.
  const env = validateEnv(process.env);
  const app = await NestFactory.create(AppModule, createGatewayAdapter(env), { bufferLogs: true, bodyParser: false, abortOnError: false });
  setupApp(app);
  const port = app.get<ConfigService<GatewayEnv, true>>(ConfigService).get('PORT', { infer: true });
  await listenOnAllInterfaces(app, port);
  trimMemoryWhenIdle();
  process.once('beforeExit', () => void tracing?.shutdown());
}

bootstrap().catch((error: unknown) => {
  console.error(`api-gateway failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
