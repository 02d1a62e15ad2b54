import type { UnitOfWork } from '../shared/database/unit-of-work';
import { DependencyUnavailableError } from '../shared/errors/domain-error';
import { FakeUnitOfWork } from '../shared/kafka/consumers.testing';
import type { KnownUser } from './known-user.entity';
import type { KnownUsers } from './known-users';
import { DeletedUserError, UnknownUserError } from './known-users.errors';
import { UserDirectory } from './user-directory';
import type { RemoteUser, UserServiceClient } from './user-service.client';

const USER_ID = '3f0c1a52-6f1e-4c47-9d0a-2b3c4d5e6f70';

/** known_users in memory. */
class InMemoryKnownUsers {
  readonly rows = new Map<string, Date | null>();

  async find(userId: string): Promise<KnownUser | null> {
    return this.rows.has(userId) ? ({ userId, deletedAt: this.rows.get(userId) ?? null } as KnownUser) : null;
  }

  constructor(private readonly unitOfWork: FakeUnitOfWork) {}

  async remember(userId: string): Promise<{ active: boolean }> {
    if (!this.unitOfWork.inUnit) throw new Error('remembered outside a unit of work');
    if (!this.rows.has(userId)) this.rows.set(userId, null);
    return { active: this.rows.get(userId) === null };
  }
}

class ScriptedUserService {
  answer: RemoteUser | Error = 'exists';
  calls = 0;

  async lookup(): Promise<RemoteUser> {
    this.calls++;
    if (this.answer instanceof Error) throw this.answer;
    return this.answer;
  }
}

function setup() {
  const unitOfWork = new FakeUnitOfWork();
  const known = new InMemoryKnownUsers(unitOfWork);
  const remote = new ScriptedUserService();
  const sut = new UserDirectory(unitOfWork as unknown as UnitOfWork, known as unknown as KnownUsers, remote as unknown as UserServiceClient);
  return { sut, known, remote };
}

describe('UserDirectory.ensureCanOrder', () => {
  it('accepts a user known locally without asking user-service', async () => {
    const { sut, known, remote } = setup();
    known.rows.set(USER_ID, null);
    remote.answer = new DependencyUnavailableError('down');
    await expect(sut.ensureCanOrder(USER_ID)).resolves.toBeUndefined();
    expect(remote.calls).toBe(0);
  });

  it('refuses a user deleted locally, without asking user-service', async () => {
    const { sut, known, remote } = setup();
    known.rows.set(USER_ID, new Date());
    await expect(sut.ensureCanOrder(USER_ID)).rejects.toThrow(new DeletedUserError(USER_ID));
    expect(remote.calls).toBe(0);
  });

  it('asks user-service about an unknown user and remembers one that exists', async () => {
    const { sut, known, remote } = setup();
    await sut.ensureCanOrder(USER_ID);
    expect(remote.calls).toBe(1);
    expect(known.rows.get(USER_ID)).toBeNull();
    await sut.ensureCanOrder(USER_ID);
    expect(remote.calls).toBe(1);
  });

  it('refuses a user user-service does not have, with 422 "does not exist"', async () => {
    const { sut, known, remote } = setup();
    remote.answer = 'missing';
    const error = await sut.ensureCanOrder(USER_ID).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownUserError);
    expect(error).toMatchObject({ kind: 'unprocessable', message: `user ${USER_ID} does not exist` });
    expect(known.rows.has(USER_ID)).toBe(false);
  });

  it('passes user-service being unavailable on (503), never accepting the order unchecked', async () => {
    const { sut, remote } = setup();
    remote.answer = new DependencyUnavailableError('user-service is unreachable');
    await expect(sut.ensureCanOrder(USER_ID)).rejects.toMatchObject({ kind: 'unavailable' });
  });
});
