import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { QueryFailedError } from 'typeorm';
import { covers, EVERYONE, Scope } from '../shared/auth/scope';
import { UnitOfWork } from '../shared/database/unit-of-work';
import { NotYoursError } from '../shared/errors/domain-error';
import { Contracts } from '../shared/events/contracts';
import { Events } from '../shared/outbox/events';
import { SessionsService } from '../sessions/sessions.service';
import { CreateUserDto, UpdateUserDto } from '../shared/dto/users';
import { PasswordHasher } from './password-hasher';
import { User } from './user.entity';
import { UserAlreadyExistsError, UserNotFoundError } from './users.errors';
import { usersCreated } from './users.metrics';

export interface Page {
  limit: number;
  offset: number;
}

export type AdminSeedOutcome = 'created' | 'promoted' | 'unchanged';

/** The user aggregate: every write to users, each with its event in the same unit of work. */
@Injectable()
export class UsersService {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly events: Events,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
  ) {}

  async create(dto: CreateUserDto): Promise<User> {
    const email = dto.email.toLowerCase();
    const passwordHash = await this.hasher.hash(dto.password);
    return this.translateUniqueViolation(email, () =>
      this.unitOfWork.run(() => this.insert({ email, name: dto.name, passwordHash, role: dto.role ?? 'user' })),
    );
  }

  /**
   * The first admin (see AdminSeeder): creates the user as admin, or promotes the user with that
   * email; the password is used only when the user is created (a restart never resets it).
   */
  async ensureAdmin(email: string, password: string): Promise<AdminSeedOutcome> {
    const address = email.trim().toLowerCase();
    const passwordHash = await this.hasher.hash(password);
    const upsert = () =>
      this.unitOfWork.run(async (): Promise<AdminSeedOutcome> => {
        const existing = await this.unitOfWork.transaction.findOne(User, { where: { email: address }, lock: { mode: 'pessimistic_write' } });
        if (!existing) {
          await this.insert({ email: address, name: 'Administrator', passwordHash, role: 'admin' });
          return 'created';
        }
        if (existing.role === 'admin') return 'unchanged';
        await this.unitOfWork.transaction.update(User, { id: existing.id }, { role: 'admin' });
        return 'promoted';
      });
    try {
      return await upsert();
    } catch (e) {
      // Two instances seeding at once: the loser's insert hits the unique email; the winner made it.
      if (isUniqueViolation(e)) return upsert();
      throw e;
    }
  }

  async list(page: Page): Promise<{ users: User[]; total: number }> {
    const [users, total] = await this.unitOfWork.reader.findAndCount(User, {
      order: { createdAt: 'ASC', id: 'ASC' },
      take: page.limit,
      skip: page.offset,
    });
    return { users, total };
  }

  async get(id: string, scope: Scope = EVERYONE): Promise<User> {
    ownedBy(scope, id);
    // The API's most frequent read: one plain statement, without the query builder's per-call work.
    const [row] = (await this.unitOfWork.reader.query(
      'SELECT id, email, name, role, created_at, updated_at FROM users WHERE id = $1',
      [id],
    )) as UserRow[];
    if (!row) throw new UserNotFoundError(id);
    return toUser(row);
  }

  /**
   * A new password ends every other session of the user (a thief holding one is out within the
   * gateway's session check); `keepSession`, the one the change was made from, stays.
   */
  async update(id: string, dto: UpdateUserDto, scope: Scope = EVERYONE, keepSession?: string): Promise<User> {
    ownedBy(scope, id);
    const email = dto.email?.toLowerCase();
    const passwordHash = dto.password === undefined ? undefined : await this.hasher.hash(dto.password);
    return this.translateUniqueViolation(email ?? '', () =>
      this.unitOfWork.run(async () => {
        const user = await this.lockedUser(id);
        if (email !== undefined) user.email = email;
        if (dto.name !== undefined) user.name = dto.name;
        if (passwordHash !== undefined) user.passwordHash = passwordHash;
        await this.unitOfWork.transaction.save(user);
        if (passwordHash !== undefined) await this.sessions.endOthers(id, keepSession, 'password_changed');
        return this.unitOfWork.transaction.findOneByOrFail(User, { id });
      }),
    );
  }

  /**
   * Deletes the user and publishes user.deleted. Their orders stay (they are order history);
   * order-service refuses new orders for a deleted user.
   */
  async remove(id: string, scope: Scope = EVERYONE): Promise<void> {
    ownedBy(scope, id);
    await this.unitOfWork.run(async () => {
      await this.lockedUser(id);
      await this.unitOfWork.transaction.delete(User, { id });
      await this.events.record(Contracts.UserDeleted, { userId: id });
    });
  }

  /** A new user and their user.created, in the open unit of work; counted once it commits. */
  private async insert(fields: Pick<User, 'email' | 'name' | 'passwordHash' | 'role'>): Promise<User> {
    const manager = this.unitOfWork.transaction;
    const user = await manager.save(manager.create(User, { id: randomUUID(), ...fields }));
    await this.events.record(Contracts.UserCreated, { userId: user.id, email: user.email, name: user.name, role: user.role });
    this.unitOfWork.afterCommit(`user-created:${user.id}`, () => usersCreated.inc());
    return user;
  }

  private async lockedUser(id: string): Promise<User> {
    const user = await this.unitOfWork.transaction.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!user) throw new UserNotFoundError(id);
    return user;
  }

  private async translateUniqueViolation<T>(email: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (isUniqueViolation(e)) throw new UserAlreadyExistsError(email);
      throw e;
    }
  }
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: User['role'];
  created_at: Date;
  updated_at: Date;
}

/** A row read by plain SQL as the entity TypeORM would have made (the password hash is never read). */
function toUser(row: UserRow): User {
  return Object.assign(new User(), { id: row.id, email: row.email, name: row.name, role: row.role, createdAt: row.created_at, updatedAt: row.updated_at });
}

/** A user reads and changes their own record only; decided from the caller alone, so a 403 says nothing about the id. */
function ownedBy(scope: Scope, userId: string): void {
  if (!covers(scope, userId)) throw new NotYoursError('you may only read and change your own user');
}

function isUniqueViolation(e: unknown): boolean {
  return e instanceof QueryFailedError && (e.driverError as { code?: string }).code === '23505';
}
