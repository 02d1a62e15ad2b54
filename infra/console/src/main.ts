import 'reflect-metadata';
import { Logger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import { AppModule } from './app.module';
import type { ConsoleRequest } from './auth/admin.guard';
import { ConfigError, loadConsoleConfig } from './config/console-config';
import { parseQueryString } from './http/query-string';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConsoleConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`event console: ${error.message}`);
    process.exit(1);
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.with(config), { bodyParser: false });
  app.set('query parser', parseQueryString);
  app.disable('x-powered-by');
  app.use((req: ConsoleRequest, res: { setHeader(n: string, v: string): void }, next: () => void) => {
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    next();
  });
  app.useBodyParser('json', { limit: '1mb' });
  app.useBodyParser('urlencoded', { limit: '1mb', extended: false });
  app.useGlobalPipes(new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true, stopAtFirstError: true }));
  app.enableShutdownHooks();
  await app.listen(config.port);
  new Logger('EventConsole').log(
    `event console on http://localhost:${config.port} (Kafka ${config.kafka.brokers}; ${config.authEnabled ? 'admin token required' : 'open: AUTH_ENABLED=false'})`,
  );
}

void bootstrap();
