import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { EntityManager, QueryFailedError } from 'typeorm';
import type { UserServiceEnv } from '../config/env';
import { Contracts } from '../shared/events/contracts';
import { Outbox } from '../shared/outbox/outbox.service';
import { PasswordHasher } from '../users/password-hasher';
import { User } from '../users/user.entity';

export type AdminSeedOutcome = 'created' | 'promoted' | 'unchanged';

/**
 * The first admin: nobody can make themselves one through the API, so it comes from
 * ADMIN_EMAIL + ADMIN_PASSWORD (at every start, or once with `npm run seed:admin`).
 * Idempotent: creates the user as admin, or promotes an existing user with that email; the
 * password is used only when the user is created (a restart never resets it).
 */
@Injectable()
export class AdminSeeder {
  private readonly logger = new Logger(AdminSeeder.name);

  constructor(
    private readonly outbox: Outbox,
    private readonly hasher: PasswordHasher,
    private readonly config: ConfigService<UserServiceEnv, true>,
  ) {}

  /** Seeds from ADMIN_EMAIL / ADMIN_PASSWORD; undefined when they are not set. */
  async seedFromConfig(): Promise<AdminSeedOutcome | undefined> {
    const email = this.config.get('ADMIN_EMAIL', { infer: true });
    const password = this.config.get('ADMIN_PASSWORD', { infer: true });
    if (!email || !password) return undefined;
    const outcome = await this.ensureAdmin(email, password);
    this.logger.log({ email: email.toLowerCase(), outcome }, `admin account ${outcome}`);
    return outcome;
  }

  async ensureAdmin(email: string, password: string): Promise<AdminSeedOutcome> {
    const address = email.trim().toLowerCase();
    const passwordHash = await this.hasher.hash(password);
    try {
      return await this.outbox.transaction((manager) => this.upsert(manager, address, passwordHash));
    } catch (e) {
      // Two instances seeding at once: the loser's insert hits the unique email; the winner made it.
      if (e instanceof QueryFailedError && (e.driverError as { code?: string }).code === '23505') {
        return this.outbox.transaction((manager) => this.upsert(manager, address, passwordHash));
      }
      throw e;
    }
  }

  private async upsert(manager: EntityManager, email: string, passwordHash: string): Promise<AdminSeedOutcome> {
    const existing = await manager.findOne(User, { where: { email }, lock: { mode: 'pessimistic_write' } });
    if (existing) {
      if (existing.role === 'admin') return 'unchanged';
      await manager.update(User, { id: existing.id }, { role: 'admin' });
      return 'promoted';
    }
    const user = await manager.save(manager.create(User, { id: randomUUID(), email, name: 'Administrator', passwordHash, role: 'admin' }));
    await this.outbox.add(manager, Contracts.UserCreated, { userId: user.id, email, name: user.name, role: 'admin' as const }, null);
    return 'created';
  }
}
