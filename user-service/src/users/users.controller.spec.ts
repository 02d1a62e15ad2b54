import { EVERYONE } from '../shared/auth/scope';
import type { UnitOfWork } from '../shared/database/unit-of-work';
import type { IdempotencyKeys } from '../shared/idempotency/idempotency-keys';
import { IdempotentAnswers } from '../shared/idempotency/idempotent-answers';
import type { FastifyReply } from 'fastify';
import { User } from './user.entity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

const aUser = (): User =>
  Object.assign(new User(), {
    id: 'b3f1c1d2-1111-4a4a-8b8b-123456789abc',
    email: 'john@example.com',
    name: 'John',
    passwordHash: 'hash',
    role: 'user' as const,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-01-01T00:00:00Z'),
  });

describe('UsersController', () => {
  const users = {
    create: jest.fn(async () => aUser()),
    list: jest.fn(async () => ({ users: [aUser()], total: 41 })),
    get: jest.fn(async () => aUser()),
    update: jest.fn(async () => aUser()),
    remove: jest.fn(async () => undefined),
  };
  // Requests without an Idempotency-Key never reach the ledger.
  const sut = new UsersController(users as unknown as UsersService, new IdempotentAnswers({} as UnitOfWork, {} as IdempotencyKeys));

  it('creates, answering without the password hash', async () => {
    const dto = { email: 'john@example.com', name: 'John', password: 'SecurePass123!' };
    const body = await sut.create(dto, undefined);
    expect(users.create).toHaveBeenCalledWith(dto);
    expect(body).not.toHaveProperty('passwordHash');
  });

  it('lists a page and reports the total in X-Total-Count', async () => {
    const res = { header: jest.fn() } as unknown as FastifyReply;
    const body = await sut.list({ limit: 1, offset: 0 }, res);
    expect(users.list).toHaveBeenCalledWith({ limit: 1, offset: 0 });
    expect(res.header).toHaveBeenCalledWith('X-Total-Count', '41');
    expect(body).toHaveLength(1);
  });

  it('deletes', async () => {
    await sut.remove('b3f1c1d2-1111-4a4a-8b8b-123456789abc', EVERYONE, undefined);
    expect(users.remove).toHaveBeenCalledWith('b3f1c1d2-1111-4a4a-8b8b-123456789abc', EVERYONE);
  });
});
