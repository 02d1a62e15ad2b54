import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import { DeletedUserError } from '../known-users/known-users.errors';
import { UserDirectory } from '../known-users/user-directory';
import { covers, EVERYONE, Scope } from '../shared/auth/scope';
import { prepared, PreparedStatement, UnitOfWork } from '../shared/database/unit-of-work';
import { NotYoursError } from '../shared/errors/domain-error';
import { Contracts, OrderItemData, OrderKind } from '../shared/events/contracts';
import { Events, OUTBOX_TABLE } from '../shared/outbox/events';
import { CreateOrderDto } from '../shared/dto/orders';
import { decimalOfPrice, totalOf } from './money';
import { ordersCreated } from './order-metrics';
import { PaymentOutcome, triggerOf } from './order-status';
import { OrderStatusChange } from './order-status-change.entity';
import { PaymentRef, OrderTransitions } from './order-transitions';
import { Order } from './order.entity';
import { OrderItem } from './order-item.entity';
import { OrderNotCancellableError, OrderNotFoundError } from './orders.errors';

export interface OrderWithItems {
  readonly order: Order;
  readonly items: OrderItem[];
  /** Oldest first; read for one order (GET /orders/:id), not for lists. */
  readonly history?: OrderStatusChange[];
}

export type RefundOutcome = 'refund_completed' | 'refund_failed';

export interface OrderDraft {
  readonly userId: string;
  readonly kind: OrderKind;
  /** Prices as exact decimal strings ("12.30"). */
  readonly items: readonly OrderItemData[];
  /** When the event chain that asks for this order began (a welcome order's user.created). */
  readonly chainStartedAt?: Date;
}

export interface OrderListQuery {
  readonly limit: number;
  readonly offset: number;
  readonly userId?: string;
}

/**
 * The order aggregate: every write to orders and their items, and every status change, happens
 * here, each with its event in the same unit of work (order.created through the outbox).
 */
@Injectable()
export class OrdersService {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly events: Events,
    private readonly users: UserDirectory,
    private readonly transitions: OrderTransitions,
  ) {}

  /**
   * A user places orders for themselves only; an admin (or a request without a user) for anyone.
   * A user known here is checked in the statement that writes the order; only a user not known yet
   * (its user.created still on its way, or Kafka down) costs a second unit, after asking user-service.
   */
  async create(dto: CreateOrderDto, scope: Scope = EVERYONE): Promise<OrderWithItems> {
    if (!covers(scope, dto.userId)) throw new NotYoursError('you may only place orders for yourself (userId must be your id)');
    const draft: OrderDraft = {
      userId: dto.userId,
      kind: 'regular',
      items: dto.items.map((i) => ({ productId: i.productId, quantity: i.quantity, price: decimalOfPrice(i.price) })),
    };
    // One statement each (the order, its items, history and order.created): no transaction needed.
    let created = await this.unitOfWork.runStatement(() => this.write(draft, INSERT_ORDER_OF_ACTIVE_USER));
    if (created === 'user deleted') throw new DeletedUserError(dto.userId);
    if (created === 'user unknown') {
      await this.users.ensureCanOrder(dto.userId);
      created = await this.unitOfWork.runStatement(() => this.insert(draft));
    }
    // A regular order has a fresh id and no uniqueness rule of its own: it is always inserted.
    if (!created || typeof created === 'string') throw new Error('regular order was not inserted');
    return created;
  }

  /**
   * Writes the order, its items and its order.created event in the open unit of work. Returns null
   * (and writes nothing) when a uniqueness rule says the order exists already: that is how a
   * second welcome order for the same user is refused.
   */
  async insert(draft: OrderDraft): Promise<OrderWithItems | null> {
    // INSERT_ORDER asks nothing of known users: it never answers 'user known'.
    return this.write(draft, INSERT_ORDER) as Promise<OrderWithItems | null>;
  }

  /**
   * `insert`, for a user this service has not seen yet (a user.created, usually): the user is
   * remembered in the same statement. When the user was known already it writes nothing and says
   * so; the caller asks KnownUsers whether the user is still active, then calls `insert`.
   */
  async insertForNewUser(draft: OrderDraft): Promise<OrderWithItems | null | 'user known'> {
    return this.write(draft, INSERT_ORDER_OF_NEW_USER) as Promise<OrderWithItems | null | 'user known'>;
  }

  /** Writes nothing and names why when the statement's user check refused the order. */
  private async write(draft: OrderDraft, statement: PreparedStatement): Promise<OrderWithItems | null | UserRefusal> {
    const id = randomUUID();
    const totalAmount = totalOf(draft.items);
    // A new order's first event: no other event of the unit shares its key (the order id).
    const orderCreated = this.events.outboxRow(Contracts.OrderCreated, {
      orderId: id,
      userId: draft.userId,
      kind: draft.kind,
      items: draft.items.map((i) => ({ productId: i.productId, quantity: i.quantity, price: i.price })),
      totalAmount,
    });
    const [row] = await this.unitOfWork.write<{ refused?: UserRefusal | null; created_at: Date | null; updated_at: Date | null }>(statement, [
      id,
      draft.userId,
      draft.kind,
      totalAmount,
      draft.chainStartedAt ?? null,
      draft.items.map((_, position) => position),
      draft.items.map((i) => i.productId),
      draft.items.map((i) => i.quantity),
      draft.items.map((i) => i.price),
      ...orderCreated,
    ]);
    if (row?.refused) return row.refused;
    if (!row?.created_at || !row.updated_at) return null;

    const items = draft.items.map((item, position) =>
      Object.assign(new OrderItem(), { orderId: id, position, productId: item.productId, quantity: item.quantity, price: item.price }),
    );
    this.unitOfWork.afterCommit(`order-created:${id}`, () => ordersCreated.inc({ kind: draft.kind }));
    // Made by hand, as toOrder does: TypeORM's create walks the entity's metadata on every call.
    const order = Object.assign(new Order(), {
      id,
      userId: draft.userId,
      kind: draft.kind,
      status: 'pending',
      totalAmount,
      chainStartedAt: draft.chainStartedAt ?? null,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    });
    return { order, items };
  }

  /**
   * Applies a payment's outcome in the open unit of work through the state machine: pending
   * becomes paid or failed; a completed payment for an order cancelled or expired meanwhile is
   * kept on the order and refunded; anything else changes nothing. An unknown order id is an
   * error no retry can fix: order.created commits before payment-service can see the order.
   */
  async applyPaymentOutcome(orderId: string, outcome: PaymentOutcome, payment?: PaymentRef): Promise<'changed' | 'unchanged'> {
    const trigger = triggerOf(outcome);
    const context = outcome === 'paid' ? { payment } : {};
    // An outcome almost always finds its order pending: moved in one statement if it still is.
    const decision =
      (await this.transitions.applyIfStill(orderId, 'pending', trigger, context)) ??
      (await this.transitions.apply(await this.lock(orderId), trigger, context));
    return decision.kind === 'move' ? 'changed' : 'unchanged';
  }

  /** payment.refunded / payment.refund-failed: the end of a refund the order asked for. */
  async applyRefundOutcome(orderId: string, outcome: RefundOutcome): Promise<'changed' | 'unchanged'> {
    const order = await this.lock(orderId);
    const decision = await this.transitions.apply(order, outcome);
    return decision.kind === 'move' ? 'changed' : 'unchanged';
  }

  /**
   * The customer (or an admin) changes their mind. pending: cancelled at once. paid: the refund
   * is asked for (refund_pending). refund_pending: answered as it is, no second refund. Any
   * other status: refused, naming it. Another user's order is not found, as in `get`.
   * The answer is read in the cancel's own transaction: once it commits, the refund may complete
   * within milliseconds, and the caller is answered the state its cancel made (refund_pending).
   */
  async cancel(id: string, scope: Scope = EVERYONE): Promise<OrderWithItems> {
    return this.unitOfWork.run(async () => {
      const order = await this.lock(id, scope);
      const decision = await this.transitions.apply(order, 'cancel');
      if (decision.kind === 'refuse') throw new OrderNotCancellableError(id, decision.status);
      return this.get(id, scope);
    });
  }

  /**
   * Expires up to `batch` orders pending for longer than `timeoutMs`, in one unit of work. Rows
   * are claimed with SKIP LOCKED: several instances sweep side by side without waiting on or
   * expiring the same order twice, and an order being paid or cancelled right now (locked) is
   * left for the next sweep, which re-reads its status. Returns how many expired.
   */
  async expireOverdue(timeoutMs: number, batch: number): Promise<number> {
    return this.unitOfWork.run(async () => {
      const overdue = await this.unitOfWork.transaction
        .createQueryBuilder(Order, 'o')
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .where(`o.status = 'pending'`)
        .andWhere(`o.created_at < now() - make_interval(secs => :seconds)`, { seconds: timeoutMs / 1000 })
        .orderBy('o.created_at', 'ASC')
        .limit(batch)
        .getMany();
      let expired = 0;
      for (const order of overdue) {
        const deadline = new Date(order.createdAt.getTime() + timeoutMs);
        if ((await this.transitions.apply(order, 'expire', { deadline })).kind === 'move') expired++;
      }
      return expired;
    });
  }

  /** The order, locked for the open unit of work; within the scope, else not found. */
  private async lock(id: string, scope: Scope = EVERYONE): Promise<Order> {
    // Once per payment outcome: plain SQL, no query builder and entity hydration per event.
    const rows = (await this.unitOfWork.transaction.query(
      `SELECT id, user_id, kind, status, total_amount::text AS total_amount, chain_started_at, payment_id,
              paid_amount::text AS paid_amount, refund_requested_at, created_at, updated_at
       FROM orders WHERE id = $1${scope.everyone ? '' : ' AND user_id = $2'} FOR UPDATE`,
      scope.everyone ? [id] : [id, scope.userId],
    )) as OrderRow[];
    if (rows.length === 0) throw new OrderNotFoundError(id);
    return toOrder(rows[0]);
  }

  /**
   * Newest first (created_at, then id, descending): the order a customer's history is read in. A
   * user's list is their own, filtered in SQL (pages and the total count only theirs); asking for
   * another user's is refused.
   */
  async list(query: OrderListQuery, scope: Scope = EVERYONE): Promise<{ orders: OrderWithItems[]; total: number }> {
    let userId = query.userId;
    if (!scope.everyone) {
      if (userId !== undefined && userId !== scope.userId) throw new NotYoursError('you may only list your own orders');
      userId = scope.userId;
    }
    const [orders, total] = await this.unitOfWork.reader.findAndCount(Order, {
      where: userId ? { userId } : {},
      order: { createdAt: 'DESC', id: 'DESC' },
      take: query.limit,
      skip: query.offset,
    });
    const items = await this.itemsOf(orders.map((o) => o.id));
    return { orders: orders.map((order) => ({ order, items: items.get(order.id) ?? [] })), total };
  }

  /** Another user's order is not found, exactly like an unknown id: ids cannot be probed. */
  async get(id: string, scope: Scope = EVERYONE): Promise<OrderWithItems> {
    const order = await this.unitOfWork.reader.findOneBy(Order, scope.everyone ? { id } : { id, userId: scope.userId });
    if (!order) throw new OrderNotFoundError(id);
    const items = await this.itemsOf([id]);
    const history = await this.unitOfWork.reader.find(OrderStatusChange, { where: { orderId: id }, order: { id: 'ASC' } });
    return { order, items: items.get(id) ?? [], history };
  }

  private async itemsOf(orderIds: string[]): Promise<Map<string, OrderItem[]>> {
    const byOrder = new Map<string, OrderItem[]>();
    if (orderIds.length === 0) return byOrder;
    const items = await this.unitOfWork.reader.find(OrderItem, {
      where: { orderId: In(orderIds) },
      order: { orderId: 'ASC', position: 'ASC' },
    });
    for (const item of items) {
      const list = byOrder.get(item.orderId) ?? [];
      list.push(item);
      byOrder.set(item.orderId, list);
    }
    return byOrder;
  }
}

/**
 * What follows a new order in the same statement: its items, its first history step and its
 * order.created outbox row (Events.outboxRow's four values, $10 to $13).
 */
const ORDER_ITEMS_HISTORY_AND_EVENT = `items AS (
    INSERT INTO order_items (order_id, position, product_id, quantity, price)
    SELECT inserted.id, item.position, item.product_id, item.quantity, item.price
    FROM inserted, unnest($6::int[], $7::varchar[], $8::int[], $9::numeric[]) AS item(position, product_id, quantity, price)
  ), history AS (
    INSERT INTO order_status_history (order_id, from_status, to_status, trigger, at)
    SELECT inserted.id, NULL, 'pending', 'created', inserted.created_at FROM inserted
  ), event AS (
    INSERT INTO ${OUTBOX_TABLE}
    SELECT $10::varchar, $11::varchar, $12::jsonb, $13::jsonb FROM inserted
  )`;

/**
 * The order, its items, its first history step and its event in one round trip; when the order is
 * refused by a uniqueness rule (ON CONFLICT), the other inserts find no row to follow.
 */
const INSERT_ORDER = prepared('orders.insert', `WITH inserted AS (
    INSERT INTO orders (id, user_id, kind, status, total_amount, chain_started_at) VALUES ($1, $2, $3, 'pending', $4, $5)
    ON CONFLICT DO NOTHING RETURNING id, created_at, updated_at
  ), ${ORDER_ITEMS_HISTORY_AND_EVENT}
  SELECT created_at, updated_at FROM inserted`);

/** Why a statement that checks the user wrote nothing (`write`). */
type UserRefusal = 'user known' | 'user unknown' | 'user deleted';

/**
 * The same, first remembering the user: the order is written only if the user was new here. One
 * row always: `refused` is 'user known' when the user was known already (nothing written, not even
 * the order), else the order's timestamps (null when a uniqueness rule refused it).
 */
const INSERT_ORDER_OF_NEW_USER = prepared('orders.insert-of-new-user', `WITH known AS (
    INSERT INTO known_users (user_id) VALUES ($2::uuid) ON CONFLICT (user_id) DO NOTHING RETURNING user_id
  ), inserted AS (
    INSERT INTO orders (id, user_id, kind, status, total_amount, chain_started_at)
    SELECT $1::uuid, known.user_id, $3::varchar, 'pending', $4::numeric, $5::timestamptz FROM known
    ON CONFLICT DO NOTHING RETURNING id, created_at, updated_at
  ), ${ORDER_ITEMS_HISTORY_AND_EVENT}
  SELECT CASE WHEN EXISTS (SELECT 1 FROM known) THEN NULL ELSE 'user known' END AS refused, inserted.created_at, inserted.updated_at
  FROM (SELECT 1) AS one LEFT JOIN inserted ON true`);

/**
 * The same for a user this service knows and who is not deleted, checked in the statement: one
 * row always, `refused` naming an unknown or a deleted user (nothing written).
 */
const INSERT_ORDER_OF_ACTIVE_USER = prepared('orders.insert-of-active-user', `WITH known AS (
    SELECT user_id, deleted_at FROM known_users WHERE user_id = $2::uuid
  ), inserted AS (
    INSERT INTO orders (id, user_id, kind, status, total_amount, chain_started_at)
    SELECT $1::uuid, known.user_id, $3::varchar, 'pending', $4::numeric, $5::timestamptz FROM known WHERE known.deleted_at IS NULL
    ON CONFLICT DO NOTHING RETURNING id, created_at, updated_at
  ), ${ORDER_ITEMS_HISTORY_AND_EVENT}
  SELECT CASE
      WHEN NOT EXISTS (SELECT 1 FROM known) THEN 'user unknown'
      WHEN EXISTS (SELECT 1 FROM known WHERE deleted_at IS NOT NULL) THEN 'user deleted'
    END AS refused, inserted.created_at, inserted.updated_at
  FROM (SELECT 1) AS one LEFT JOIN inserted ON true`);

interface OrderRow {
  id: string;
  user_id: string;
  kind: Order['kind'];
  status: Order['status'];
  total_amount: string;
  chain_started_at: Date | null;
  payment_id: string | null;
  paid_amount: string | null;
  refund_requested_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

function toOrder(row: OrderRow): Order {
  return Object.assign(new Order(), {
    id: row.id,
    userId: row.user_id,
    kind: row.kind,
    status: row.status,
    totalAmount: row.total_amount,
    chainStartedAt: row.chain_started_at,
    paymentId: row.payment_id,
    paidAmount: row.paid_amount,
    refundRequestedAt: row.refund_requested_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}
