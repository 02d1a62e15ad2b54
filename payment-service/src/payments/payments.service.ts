import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import { EVERYONE, Scope } from '../shared/auth/scope';
import { prepared, UnitOfWork } from '../shared/database/unit-of-work';
import { Contracts, OrderCreatedData } from '../shared/events/contracts';
import { HandlerResult } from '../shared/kafka/event-processor';
import { Events } from '../shared/outbox/events';
import { Payment } from './payment.entity';
import { Refund } from './refund.entity';
import { Heartbeat, NO_HEARTBEAT, PaymentDecision, PaymentSimulator } from './payment-simulator';
import { PaymentNotFoundError } from './payments.errors';
import { paymentsTotal } from './payments.metrics';

export interface PaymentFilter {
  limit: number;
  offset: number;
  orderId?: string;
}

/** A payment and its refund, if it was given back (or tried to be). */
export interface PaymentWithRefund {
  readonly payment: Payment;
  readonly refund: Refund | null;
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

/** The payment aggregate: one payment per order, and its outcome told through the outbox. */
@Injectable()
export class PaymentsService {
  private readonly logger = new Logger(PaymentsService.name);

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly events: Events,
    private readonly simulator: PaymentSimulator,
  ) {}

  async isPaid(orderId: string): Promise<boolean> {
    // Asked once per order.created, so plain SQL: no query builder per event.
    const rows = await this.unitOfWork.read(PAYMENT_OF_ORDER, [orderId]);
    return rows.length > 0;
  }

  /** Waits for the provider's answer (heartbeating: a slow provider must not cost the group its member). */
  async decide(heartbeat: Heartbeat = NO_HEARTBEAT): Promise<PaymentDecision> {
    await this.simulator.awaitProvider(heartbeat);
    return this.simulator.decide();
  }

  /**
   * In the open unit of work: the payment row and its payment.completed / payment.failed event.
   * The unique index on order_id decides: an order paid already (under another event) changes
   * nothing.
   */
  async record(order: OrderCreatedData, decision: PaymentDecision): Promise<HandlerResult> {
    const payment = await this.insertUnlessPaid(order, decision);
    if (!payment) {
      this.logger.warn({ orderId: order.orderId }, 'order already paid under another event; ignored');
      return 'duplicate';
    }
    const common = { paymentId: payment.id, orderId: payment.orderId, amount: payment.amount };
    if (decision.status === 'completed') await this.events.record(Contracts.PaymentCompleted, common);
    else await this.events.record(Contracts.PaymentFailed, { ...common, reason: decision.reason, code: decision.code });
    this.unitOfWork.afterCommit(`payment:${payment.id}`, () => paymentsTotal.inc({ status: payment.status }));
  }

  /** A user's list holds their own payments only, filtered in SQL (pages and the total count too). */
  async list(filter: PaymentFilter, scope: Scope = EVERYONE): Promise<{ payments: PaymentWithRefund[]; total: number }> {
    const [payments, total] = await this.unitOfWork.reader.findAndCount(Payment, {
      where: {
        ...(filter.orderId ? { orderId: filter.orderId } : {}),
        ...(scope.everyone ? {} : { userId: scope.userId }),
      },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: filter.limit,
      skip: filter.offset,
    });
    const refunds = await this.refundsOf(payments.map((p) => p.id));
    return { payments: payments.map((payment) => ({ payment, refund: refunds.get(payment.id) ?? null })), total };
  }

  /** Another user's payment is not found, exactly like an unknown id. */
  async get(id: string, scope: Scope = EVERYONE): Promise<PaymentWithRefund> {
    const payment = await this.unitOfWork.reader.findOneBy(Payment, scope.everyone ? { id } : { id, userId: scope.userId });
    if (!payment) throw new PaymentNotFoundError(id);
    return { payment, refund: (await this.refundsOf([id])).get(id) ?? null };
  }

  private async refundsOf(paymentIds: string[]): Promise<Map<string, Refund>> {
    if (paymentIds.length === 0) return new Map();
    const refunds = await this.unitOfWork.reader.find(Refund, { where: { paymentId: In(paymentIds) } });
    return new Map(refunds.map((r) => [r.paymentId, r]));
  }

  private async insertUnlessPaid(order: OrderCreatedData, decision: PaymentDecision): Promise<Payment | null> {
    const rows = await this.unitOfWork.write<PaymentRow>(INSERT_UNLESS_PAID, [
      randomUUID(),
      order.orderId,
      order.userId,
      order.totalAmount,
      decision.status,
      decision.status === 'failed' ? decision.reason : null,
    ]);
    return rows.length === 1 ? toPayment(rows[0]) : null;
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

const PAYMENT_OF_ORDER = prepared('payments.of-order', 'SELECT 1 FROM payments WHERE order_id = $1');
const INSERT_UNLESS_PAID = prepared(
  'payments.insert-unless-paid',
  `INSERT INTO payments (id, order_id, user_id, amount, status, failure_reason)
   VALUES ($1, $2, $3, $4, $5, $6)
   ON CONFLICT (order_id) DO NOTHING
   RETURNING id, order_id, user_id, amount::text AS amount, status, failure_reason, created_at`,
);
