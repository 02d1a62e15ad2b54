import { tracing } from './tracing';
import { AdminSeeder } from './admin/admin-seeder';
import { AppModule } from './app.module';
import { userService } from './service';
import { startService } from './shared/service/start';

startService(AppModule, userService, {
  tracing,
  // The first admin from ADMIN_EMAIL / ADMIN_PASSWORD, before the API opens (idempotent).
  beforeListen: async (app) => void (await app.get(AdminSeeder).seedFromConfig()),
});
