import { tracing } from './tracing';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AdminSeeder } from './admin/admin-seeder';
import { AppModule } from './app.module';
import { validateEnv } from './config/env';
import { configureApp } from './shared/http/configure-app';

async function bootstrap(): Promise<void> {
  // Checked before Nest starts so a bad variable (say, no API_KEY in production) is reported in one line.
  validateEnv(process.env);
  const app = await NestFactory.create(AppModule, { bufferLogs: true, bodyParser: false, abortOnError: false });
  configureApp(app);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('user-service').setDescription('Users; publishes user.created and user.deleted').build(),
  );
  SwaggerModule.setup('docs', app, document);
  app.enableShutdownHooks();
  // The first admin from ADMIN_EMAIL / ADMIN_PASSWORD, before the API opens (idempotent).
  await app.get(AdminSeeder).seedFromConfig();
  await app.listen(Number(process.env.PORT ?? 3001));
  process.once('beforeExit', () => void tracing?.shutdown());
}

bootstrap().catch((error: unknown) => {
  // A bad environment or an unreachable database at start: say why in one line, no stack.
  console.error(`user-service failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
