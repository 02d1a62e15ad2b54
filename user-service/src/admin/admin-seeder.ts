import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { UserServiceEnv } from '../config/env';
import { AdminSeedOutcome, UsersService } from '../users/users.service';

/**
 * The first admin: nobody can make themselves one through the API, so it comes from
 * ADMIN_EMAIL + ADMIN_PASSWORD, at every start or once with `npm run seed:admin` (idempotent).
 */
@Injectable()
export class AdminSeeder {
  private readonly logger = new Logger(AdminSeeder.name);

  constructor(
    private readonly users: UsersService,
    private readonly config: ConfigService<UserServiceEnv, true>,
  ) {}

  /** Seeds from ADMIN_EMAIL / ADMIN_PASSWORD; undefined when they are not set. */
  async seedFromConfig(): Promise<AdminSeedOutcome | undefined> {
    const email = this.config.get('ADMIN_EMAIL', { infer: true });
    const password = this.config.get('ADMIN_PASSWORD', { infer: true });
    if (!email || !password) return undefined;
    const outcome = await this.users.ensureAdmin(email, password);
    this.logger.log({ email: email.toLowerCase(), outcome }, `admin account ${outcome}`);
    return outcome;
  }
}
