import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '../shared/database/unit-of-work';
import { DeletedUserError, UnknownUserError } from './known-users.errors';
import { KnownUsers } from './known-users';
import { UserServiceClient } from './user-service.client';

/**
 * Whether a user may place an order.
 *
 * The local `known_users` table (filled by user.created, marked by user.deleted) answers first:
 * it works while user-service is down. When the user is not known locally, user-service is
 * asked over HTTP, because the local table lags behind: an order placed right after the user
 * was created may arrive before user.created does, and while Kafka is down no event arrives at
 * all. Refusing such an order would be wrong; accepting an unknown id blindly would be worse.
 * If user-service cannot answer either, the order is refused with 503 (try again), never
 * accepted unchecked. A user deleted between the check and the insert can still get that one
 * order: the window is the length of a request, and orders are history anyway.
 */
@Injectable()
export class UserDirectory {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly knownUsers: KnownUsers,
    private readonly userService: UserServiceClient,
  ) {}

  async ensureCanOrder(userId: string): Promise<void> {
    const known = await this.knownUsers.find(userId);
    if (known?.deletedAt) throw new DeletedUserError(userId);
    if (known) return;
    const remote = await this.userService.lookup(userId);
    if (remote === 'missing') throw new UnknownUserError(userId);
    // Remembered so the next order of this user needs no HTTP call; user.deleted still wins later.
    await this.unitOfWork.run(() => this.knownUsers.remember(userId));
  }
}
