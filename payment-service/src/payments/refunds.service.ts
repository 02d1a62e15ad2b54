import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { UnitOfWork } from '../shared/database/unit-of-work';
import { Contracts, RefundRequestedData } from '../shared/events/contracts';
import { HandlerResult } from '../shared/kafka/event-processor';
import { Events } from '../shared/outbox/events';
import { Payment } from './payment.entity';
import { Heartbeat } from './payment-simulator';
import { RefundAttempts, RefundProvider } from './refund-provider';
import { Refund } from './refund.entity';
import { RefundNotPossibleError } from './payments.errors';
import { refundsTotal } from './payments.metrics';

export const REFUND_PROVIDER = Symbol('REFUND_PROVIDER');

interface RefundRow {
  id: string;
  payment_id: string;
  order_id: string;
  amount: string;
  attempts: number;
}

/** The refund side of the payment aggregate: one refund per payment, its outcome told through the outbox. */
@Injectable()
export class RefundsService {
  private readonly logger = new Logger(RefundsService.name);

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly events: Events,
    @Inject(REFUND_PROVIDER) private readonly provider: RefundProvider,
  ) {}

  /**
   * The payment a request names, checked against what was taken: a completed payment of that
   * order, for exactly that amount. Anything else is dead-lettered, never refunded.
   */
  async paymentToRefund(request: RefundRequestedData): Promise<Payment> {
    const payment = await this.unitOfWork.reader.findOneBy(Payment, { id: request.paymentId });
    if (!payment || payment.orderId !== request.orderId || payment.status !== 'completed') {
      throw new RefundNotPossibleError(`no completed payment ${request.paymentId} for order ${request.orderId}`);
    }
    if (payment.amount !== request.amount) {
      throw new RefundNotPossibleError(`refund of ${request.amount} asked for payment ${payment.id} of ${payment.amount}`);
    }
    return payment;
  }

  async isRefunded(paymentId: string): Promise<boolean> {
    return this.unitOfWork.reader.existsBy(Refund, { paymentId, status: 'completed' });
  }

  /** The provider's calls, outside any transaction (no pooled connection held while it answers). */
  attempt(heartbeat: Heartbeat): Promise<RefundAttempts> {
    return this.provider.refund(heartbeat);
  }

  /** In the open unit of work: the refund completed and payment.refunded; nothing if it was already. */
  async recordCompleted(payment: Payment, attempts: number): Promise<HandlerResult> {
    const row = await this.upsert(payment, 'completed', attempts, null);
    if (!row) {
      this.logger.warn({ paymentId: payment.id }, 'payment already refunded; ignored');
      return 'duplicate';
    }
    await this.events.record(Contracts.PaymentRefunded, { refundId: row.id, paymentId: payment.id, orderId: payment.orderId, amount: row.amount });
    this.unitOfWork.afterCommit(`refund:${row.id}`, () => refundsTotal.inc({ outcome: 'completed' }));
  }

  /** In its own unit of work: the refund failed (attempts added up) and payment.refund-failed. */
  async recordFailed(payment: Payment, attempts: number, reason: string): Promise<void> {
    await this.unitOfWork.run(async () => {
      const row = await this.upsert(payment, 'failed', attempts, reason);
      if (!row) return; // completed meanwhile (another delivery): nothing failed
      await this.events.record(Contracts.PaymentRefundFailed, {
        refundId: row.id,
        paymentId: payment.id,
        orderId: payment.orderId,
        amount: row.amount,
        attempts: row.attempts,
        reason,
      });
      this.unitOfWork.afterCommit(`refund:${row.id}`, () => refundsTotal.inc({ outcome: 'failed' }));
    });
  }

  /**
   * The unique index on payment_id decides: a new row, or the failed row brought up to date; a
   * completed refund is never touched again (null).
   */
  private async upsert(payment: Payment, status: Refund['status'], attempts: number, reason: string | null): Promise<RefundRow | null> {
    const rows = (await this.unitOfWork.transaction.query(
      `INSERT INTO refunds (id, payment_id, order_id, user_id, amount, status, attempts, failure_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (payment_id) DO UPDATE
         SET status = EXCLUDED.status, attempts = refunds.attempts + EXCLUDED.attempts,
             failure_reason = EXCLUDED.failure_reason, updated_at = now()
         WHERE refunds.status = 'failed'
       RETURNING id, payment_id, order_id, amount::text AS amount, attempts`,
      [randomUUID(), payment.id, payment.orderId, payment.userId, payment.amount, status, attempts, reason],
    )) as RefundRow[];
    return rows[0] ?? null;
  }
}
