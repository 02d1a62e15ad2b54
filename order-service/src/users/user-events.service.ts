import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { KnownUsers } from '../known-users/known-users';
import { ordersCreated } from '../orders/order-metrics';
import { OrdersService } from '../orders/orders.service';
import { WELCOME_ORDER_ITEMS } from '../orders/welcome-order';
import { UserCreatedData, UserDeletedData } from '../shared/events/contracts';
import { EventEnvelope } from '../shared/events/envelope';
import { EffectOutcome } from '../shared/kafka/event-processor';
import { firstDelivery, Outbox } from '../shared/outbox/outbox.service';

/** Names in the processed_events ledger: one per consumed topic. */
export const USER_CREATED_CONSUMER = 'order-service.user-created';
export const USER_DELETED_CONSUMER = 'order-service.user-deleted';

/** What user-service's events change here: the known users, and each new user's welcome order. */
@Injectable()
export class UserEventsService {
  private readonly logger = new Logger(UserEventsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly knownUsers: KnownUsers,
    private readonly orders: OrdersService,
  ) {}

  /**
   * Remembers the user and creates their welcome order, once. Two guards: the eventId ledger
   * (a redelivered event does nothing) and the unique index "one welcome order per user" (a
   * second user.created for the same user, with another eventId, does nothing either). The
   * order.created it publishes carries the incoming event's requestId.
   */
  async applyUserCreated(event: EventEnvelope<string, UserCreatedData>): Promise<EffectOutcome> {
    const { userId } = event.data;
    const result = await this.outbox.transaction(async (manager) => {
      if (!(await firstDelivery(manager, USER_CREATED_CONSUMER, event.eventId))) return 'duplicate' as const;
      const { active } = await this.knownUsers.remember(manager, userId);
      // A user.created handled after the user's user.deleted (a re-driven dead letter): no order.
      if (!active) return 'user_deleted' as const;
      const welcome = await this.orders.insert(
        manager,
        { userId, kind: 'welcome', items: WELCOME_ORDER_ITEMS, chainStartedAt: new Date(event.occurredAt) },
        event.requestId,
      );
      return welcome ? ('created' as const) : ('welcome_exists' as const);
    });
    if (result === 'created') ordersCreated.inc({ kind: 'welcome' });
    if (result === 'welcome_exists') this.logger.log({ userId, eventId: event.eventId }, 'user already has a welcome order');
    if (result === 'user_deleted') this.logger.warn({ userId, eventId: event.eventId }, 'user deleted already; no welcome order');
    return result === 'created' ? 'processed' : 'duplicate';
  }

  /** Marks the user deleted: no new orders for them. Their orders stay, as order history. */
  async applyUserDeleted(event: EventEnvelope<string, UserDeletedData>): Promise<EffectOutcome> {
    return this.dataSource.transaction(async (manager) => {
      if (!(await firstDelivery(manager, USER_DELETED_CONSUMER, event.eventId))) return 'duplicate';
      await this.knownUsers.markDeleted(manager, event.data.userId);
      return 'processed';
    });
  }
}
