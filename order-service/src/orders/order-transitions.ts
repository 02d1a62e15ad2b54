import { Injectable, Logger } from '@nestjs/common';
import { prepared, UnitOfWork } from '../shared/database/unit-of-work';
import { Contracts } from '../shared/events/contracts';
import { Events } from '../shared/outbox/events';
import { cancelToRefunded, orderStatusChanges, userToPaidChain } from './order-metrics';
import { Decision, decide, OrderStatus, OrderTrigger } from './order-status';
import { Order } from './order.entity';

/** The payment a payment.completed names: kept on the order, refunded if the order cannot use it. */
export interface PaymentRef {
  readonly paymentId: string;
  readonly amount: string;
}

export interface TriggerContext {
  readonly payment?: PaymentRef;
  /** For an expiry: the deadline that passed. */
  readonly deadline?: Date;
}

/**
 * The only writer of an order's status: asks the state machine, and when the order moves writes
 * the new status, its history row and the events the move implies, all in the open unit of work,
 * on an order the caller has locked (SELECT ... FOR UPDATE), so two triggers never race.
 */
@Injectable()
export class OrderTransitions {
  private readonly logger = new Logger(OrderTransitions.name);

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly events: Events,
  ) {}

  async apply(order: Order, trigger: OrderTrigger, context: TriggerContext = {}): Promise<Decision> {
    const decision = decide(order.status, trigger);
    if (decision.kind !== 'move') {
      if (decision.kind === 'stay' && decision.reason !== 'already_in_status') {
        const fields = { orderId: order.id, status: order.status, trigger, reason: decision.reason };
        // A second cancel while the refund runs is the client asking twice; a late or conflicting
        // event is worth a look.
        if (decision.reason === 'in_progress') this.logger.log(fields, 'order trigger changed nothing');
        else this.logger.warn(fields, 'order trigger changed nothing');
      }
      return decision;
    }
    const now = new Date();
    if (context.payment) {
      order.paymentId = context.payment.paymentId;
      order.paidAmount = context.payment.amount;
    }
    if (decision.refund) order.refundRequestedAt = now;
    order.status = decision.to;
    // The status change and its history step in one round trip.
    await this.unitOfWork.write(MOVE, [
      order.id,
      order.status,
      order.paymentId,
      order.paidAmount,
      order.refundRequestedAt,
      decision.from,
      decision.to,
      trigger,
      now,
    ]);
    await this.recordEvents(order, decision, trigger, context);
    this.countAfterCommit(order, decision, now);
    return decision;
  }

  /**
   * The move `trigger` makes from `assumed`, in one statement that writes it only if the order is
   * still in `assumed` (the UPDATE takes the row lock and re-checks the status under it): no
   * SELECT ... FOR UPDATE round trip first. Only for a move that records no event (a payment
   * outcome for a pending order, the usual case). Null when the order is not in `assumed` (or does
   * not exist), or the move records events: the caller locks the order and calls `apply`.
   */
  async applyIfStill(orderId: string, assumed: OrderStatus, trigger: OrderTrigger, context: TriggerContext = {}): Promise<Decision | null> {
    const decision = decide(assumed, trigger);
    if (decision.kind !== 'move' || eventsOfMove(decision, trigger).length > 0) return null;
    const now = new Date();
    const [moved] = await this.unitOfWork.write<{ kind: Order['kind']; chain_started_at: Date | null; refund_requested_at: Date | null }>(
      MOVE_IF_STILL,
      [orderId, decision.from, decision.to, context.payment?.paymentId ?? null, context.payment?.amount ?? null, trigger, now],
    );
    if (!moved) return null;
    this.countAfterCommit({ id: orderId, kind: moved.kind, chainStartedAt: moved.chain_started_at, refundRequestedAt: moved.refund_requested_at }, decision, now);
    return decision;
  }

  private async recordEvents(order: Order, decision: Extract<Decision, { kind: 'move' }>, trigger: OrderTrigger, context: TriggerContext) {
    const events = eventsOfMove(decision, trigger);
    if (events.includes('cancelled')) {
      await this.events.record(Contracts.OrderCancelled, {
        orderId: order.id,
        userId: order.userId,
        cancelledFrom: decision.from === 'paid' ? ('paid' as const) : ('pending' as const),
      });
    }
    if (events.includes('expired')) {
      await this.events.record(Contracts.OrderExpired, {
        orderId: order.id,
        userId: order.userId,
        deadline: (context.deadline ?? new Date()).toISOString(),
      });
    }
    if (events.includes('refund-requested') && decision.refund) {
      if (!order.paymentId || !order.paidAmount) throw new Error(`order ${order.id} asks for a refund without a known payment`);
      await this.events.record(Contracts.RefundRequested, {
        orderId: order.id,
        paymentId: order.paymentId,
        amount: order.paidAmount,
        reason: decision.refund,
      });
    }
  }

  private countAfterCommit(order: Pick<Order, 'id' | 'kind' | 'chainStartedAt' | 'refundRequestedAt'>, decision: Extract<Decision, { kind: 'move' }>, now: Date): void {
    const requestedAt = order.refundRequestedAt;
    const chainStartedAt = order.chainStartedAt;
    this.unitOfWork.afterCommit(`order-status:${order.id}`, () => {
      orderStatusChanges.inc({ status: decision.to, kind: order.kind });
      if (decision.to === 'paid' && chainStartedAt) userToPaidChain.observe((now.getTime() - chainStartedAt.getTime()) / 1000);
      if (decision.to === 'refunded' && requestedAt) cancelToRefunded.observe((now.getTime() - requestedAt.getTime()) / 1000);
    });
  }
}

/**
 * The events a move records (recordEvents writes them), in one place: a move with none is what
 * applyIfStill may write in its one statement.
 */
function eventsOfMove(decision: Extract<Decision, { kind: 'move' }>, trigger: OrderTrigger): ('cancelled' | 'expired' | 'refund-requested')[] {
  const events: ('cancelled' | 'expired' | 'refund-requested')[] = [];
  if (trigger === 'cancel') events.push('cancelled');
  if (decision.to === 'expired') events.push('expired');
  if (decision.refund) events.push('refund-requested');
  return events;
}

const MOVE = prepared(
  'orders.move',
  `WITH changed AS (
     UPDATE orders SET status = $2, payment_id = $3, paid_amount = $4, refund_requested_at = $5, updated_at = now()
     WHERE id = $1 RETURNING id
   )
   INSERT INTO order_status_history (order_id, from_status, to_status, trigger, at)
   SELECT id, $6, $7, $8, $9 FROM changed`,
);

const MOVE_IF_STILL = prepared(
  'orders.move-if-still',
  `WITH changed AS (
     UPDATE orders SET status = $3, payment_id = COALESCE($4, payment_id), paid_amount = COALESCE($5, paid_amount), updated_at = now()
     WHERE id = $1 AND status = $2 RETURNING id, kind, chain_started_at, refund_requested_at
   ), history AS (
     INSERT INTO order_status_history (order_id, from_status, to_status, trigger, at)
     SELECT id, $2, $3, $6, $7 FROM changed
   )
   SELECT kind, chain_started_at, refund_requested_at FROM changed`,
);
