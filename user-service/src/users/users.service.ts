import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { Contracts } from '../shared/events/contracts';
import { Outbox } from '../shared/outbox/outbox.service';
import { CreateUserDto } from './dto/create-user.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { PasswordHasher } from './password-hasher';
import { User } from './user.entity';
import { UserAlreadyExistsError, UserNotFoundError } from './users.errors';
import { usersCreated } from './users.metrics';

export interface Page {
  limit: number;
  offset: number;
}

/** Users and the events about them. Every write and its event commit together through the outbox. */
@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly hasher: PasswordHasher,
  ) {}

  async create(dto: CreateUserDto, requestId: string | null): Promise<User> {
    const email = dto.email.toLowerCase();
    const passwordHash = await this.hasher.hash(dto.password);
    const created = await this.translateUniqueViolation(email, () =>
      this.outbox.transaction(async (manager) => {
        const user = await manager.save(
          manager.create(User, { id: randomUUID(), email, name: dto.name, passwordHash, role: dto.role ?? 'user' }),
        );
        await this.outbox.add(
          manager,
          Contracts.UserCreated,
          { userId: user.id, email: user.email, name: user.name, role: user.role },
          requestId,
        );
        return user;
      }),
    );
    usersCreated.inc();
    return created;
  }

  async list(page: Page): Promise<{ users: User[]; total: number }> {
    const [users, total] = await this.dataSource.manager.findAndCount(User, {
      order: { createdAt: 'ASC', id: 'ASC' },
      take: page.limit,
      skip: page.offset,
    });
    return { users, total };
  }

  async get(id: string): Promise<User> {
    const user = await this.dataSource.manager.findOneBy(User, { id });
    if (!user) throw new UserNotFoundError(id);
    return user;
  }

  async update(id: string, dto: UpdateUserDto): Promise<User> {
    const email = dto.email?.toLowerCase();
    const passwordHash = dto.password === undefined ? undefined : await this.hasher.hash(dto.password);
    return this.translateUniqueViolation(email ?? '', () =>
      this.dataSource.transaction(async (manager) => {
        const user = await this.lockedUser(manager, id);
        if (email !== undefined) user.email = email;
        if (dto.name !== undefined) user.name = dto.name;
        if (passwordHash !== undefined) user.passwordHash = passwordHash;
        await manager.save(user);
        return manager.findOneByOrFail(User, { id });
      }),
    );
  }

  /**
   * Deletes the user and publishes user.deleted. Their orders stay (they are order history);
   * order-service refuses new orders for a deleted user.
   */
  async remove(id: string, requestId: string | null): Promise<void> {
    await this.outbox.transaction(async (manager) => {
      await this.lockedUser(manager, id);
      await manager.delete(User, { id });
      await this.outbox.add(manager, Contracts.UserDeleted, { userId: id }, requestId);
    });
  }

  private async lockedUser(manager: EntityManager, id: string): Promise<User> {
    const user = await manager.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!user) throw new UserNotFoundError(id);
    return user;
  }

  private async translateUniqueViolation<T>(email: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof QueryFailedError && (e.driverError as { code?: string }).code === '23505') {
        throw new UserAlreadyExistsError(email);
      }
      throw e;
    }
  }
}
