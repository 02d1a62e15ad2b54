import { Controller, Logger } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { KnownUsers } from '../known-users/known-users';
import { OrderDraft, OrdersService } from '../orders/orders.service';
import { WELCOME_ORDER_ITEMS } from '../orders/welcome-order';
import { Contracts, UserCreatedData, UserDeletedData } from '../shared/events/contracts';
import { EventEnvelope } from '../shared/events/envelope';
import { HandlerResult } from '../shared/kafka/event-processor';
import { OnEvent } from '../shared/kafka/on-event';

/** What user-service's events change here: the known users, and each new user's welcome order. */
@ApiExcludeController()
@Controller()
export class UserEventsConsumer {
  private readonly logger = new Logger(UserEventsConsumer.name);

  constructor(
    private readonly knownUsers: KnownUsers,
    private readonly orders: OrdersService,
  ) {}

  /**
   * Remembers the user and creates their welcome order, once: a redelivered event is stopped by
   * the ledger, and a second user.created for the same user (another eventId) by the unique index
   * "one welcome order per user". The order.created it records carries this event's requestId.
   * Usually one statement: a user new here is remembered together with their welcome order.
   */
  @OnEvent(Contracts.UserCreated, 'order-service.user-created')
  async welcome(event: EventEnvelope<string, UserCreatedData>): Promise<HandlerResult> {
    const draft: OrderDraft = { userId: event.data.userId, kind: 'welcome', items: WELCOME_ORDER_ITEMS, chainStartedAt: new Date(event.occurredAt) };
    const welcome = await this.orders.insertForNewUser(draft);
    if (welcome === 'user known') return this.welcomeKnownUser(draft);
    if (!welcome) return this.alreadyWelcomed(draft.userId);
  }

  /** Known already: an order placed before this event arrived, a repeated user.created, or a deletion. */
  private async welcomeKnownUser(draft: OrderDraft): Promise<HandlerResult> {
    const { active } = await this.knownUsers.remember(draft.userId);
    // A user.created handled after the user's user.deleted (a redriven dead letter): no order.
    if (!active) {
      this.logger.warn({ userId: draft.userId }, 'user deleted already; no welcome order');
      return 'duplicate';
    }
    if (!(await this.orders.insert(draft))) return this.alreadyWelcomed(draft.userId);
  }

  private alreadyWelcomed(userId: string): HandlerResult {
    this.logger.log({ userId }, 'user already has a welcome order');
    return 'duplicate';
  }

  /** No new orders for a deleted user; their orders stay, as order history. */
  @OnEvent(Contracts.UserDeleted, 'order-service.user-deleted')
  async forget(event: EventEnvelope<string, UserDeletedData>): Promise<HandlerResult> {
    await this.knownUsers.markDeleted(event.data.userId);
  }
}
