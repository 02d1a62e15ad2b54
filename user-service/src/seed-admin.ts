// `npm run seed:admin` (after `npm run build`): creates the first admin, or promotes the user
// with that email, in the database the DB_* variables name. Reads ADMIN_EMAIL and ADMIN_PASSWORD
// from the environment (never from the command line, where `ps` would show the password).
// Its user.created event goes through the outbox: published now if Kafka answers, else by the
// running service's relay.
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AdminSeeder } from './admin/admin-seeder';
import { AppModule } from './app.module';
import { validateEnv } from './config/env';

async function main(): Promise<void> {
  const env = validateEnv(process.env);
  if (!env.ADMIN_EMAIL || !env.ADMIN_PASSWORD) {
    console.error('usage: ADMIN_EMAIL=admin@example.com ADMIN_PASSWORD=... npm run seed:admin');
    process.exit(2);
  }
  const app = await NestFactory.createApplicationContext(AppModule, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  try {
    const outcome = await app.get(AdminSeeder).seedFromConfig();
    console.log(`admin ${env.ADMIN_EMAIL.toLowerCase()}: ${outcome}`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(`seed:admin failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
