import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Contracts, OrderCreatedData } from '../shared/events/contracts';
import { EventEnvelope } from '../shared/events/envelope';
import { EffectOutcome } from '../shared/kafka/event-processor';
import { firstDelivery, Outbox } from '../shared/outbox/outbox.service';
import { Payment } from './payment.entity';
import { Heartbeat, NO_HEARTBEAT, PaymentDecision, PaymentSimulator } from './payment-simulator';
import { PaymentNotFoundError } from './payments.errors';
import { paymentsTotal } from './payments.metrics';

/** The name under which this consumer's processed order.created events are recorded. */
export const ORDER_CREATED_CONSUMER = 'payment-service.order-created';

export interface PaymentFilter {
  limit: number;
  offset: number;
  orderId?: string;
}

interface PaymentRow {
  id: string;
  order_id: string;
  user_id: string;
  amount: string;
  status: Payment['status'];
  failure_reason: string | null;
  created_at: Date;
}

/** Pays orders, once each, and tells the rest of the system through the outbox. */
@Injectable()
export class PaymentsService {
  private readonly logger = new Logger(PaymentsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly simulator: PaymentSimulator,
  ) {}

  /**
   * Pays the order of an order.created event. The payment row, the ledger entry for the event and
   * the payment.completed / payment.failed event commit together; a redelivered event, or another
   * event about an order already paid, changes nothing and returns 'duplicate'.
   */
  async payOnce(event: EventEnvelope<string, OrderCreatedData>, heartbeat: Heartbeat = NO_HEARTBEAT): Promise<EffectOutcome> {
    const order = event.data;
    // A redelivery of a paid order answers at once instead of waiting for the provider again.
    if (await this.dataSource.manager.existsBy(Payment, { orderId: order.orderId })) return 'duplicate';

    // The provider's time is spent before the transaction: no connection is held while waiting.
    await this.simulator.awaitProvider(heartbeat);
    const decision = this.simulator.decide();

    const payment = await this.outbox.transaction(async (manager) => {
      if (!(await firstDelivery(manager, ORDER_CREATED_CONSUMER, event.eventId))) return null;
      const stored = await this.insertUnlessPaid(manager, order, decision);
      if (!stored) {
        this.logger.warn({ orderId: order.orderId, eventId: event.eventId }, 'order already paid under another event; ignored');
        return null;
      }
      await this.publish(manager, stored, decision, event.requestId);
      return stored;
    });
    if (!payment) return 'duplicate';
    paymentsTotal.inc({ status: payment.status });
    return 'processed';
  }

  async list(filter: PaymentFilter): Promise<{ payments: Payment[]; total: number }> {
    const [payments, total] = await this.dataSource.manager.findAndCount(Payment, {
      where: filter.orderId ? { orderId: filter.orderId } : {},
      order: { createdAt: 'ASC', id: 'ASC' },
      take: filter.limit,
      skip: filter.offset,
    });
    return { payments, total };
  }

  async get(id: string): Promise<Payment> {
    const payment = await this.dataSource.manager.findOneBy(Payment, { id });
    if (!payment) throw new PaymentNotFoundError(id);
    return payment;
  }

  /** The unique index on order_id decides: no row back means the order was already paid. */
  private async insertUnlessPaid(
    manager: EntityManager,
    order: OrderCreatedData,
    decision: PaymentDecision,
  ): Promise<Payment | null> {
    const rows = (await manager.query(
      `INSERT INTO payments (id, order_id, user_id, amount, status, failure_reason)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (order_id) DO NOTHING
       RETURNING id, order_id, user_id, amount::text AS amount, status, failure_reason, created_at`,
      [
        randomUUID(),
        order.orderId,
        order.userId,
        order.totalAmount,
        decision.status,
        decision.status === 'failed' ? decision.reason : null,
      ],
    )) as PaymentRow[];
    return rows.length === 1 ? toPayment(rows[0]) : null;
  }

  private async publish(
    manager: EntityManager,
    payment: Payment,
    decision: PaymentDecision,
    requestId: string | null,
  ): Promise<void> {
    const common = { paymentId: payment.id, orderId: payment.orderId, amount: payment.amount };
    if (decision.status === 'completed') {
      await this.outbox.add(manager, Contracts.PaymentCompleted, common, requestId);
    } else {
      await this.outbox.add(manager, Contracts.PaymentFailed, { ...common, reason: decision.reason, code: decision.code }, requestId);
    }
  }
}

function toPayment(row: PaymentRow): Payment {
  return Object.assign(new Payment(), {
    id: row.id,
    orderId: row.order_id,
    userId: row.user_id,
    amount: row.amount,
    status: row.status,
    failureReason: row.failure_reason,
    createdAt: row.created_at,
  });
}
