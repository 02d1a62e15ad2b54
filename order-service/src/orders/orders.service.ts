import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { UserDirectory } from '../known-users/user-directory';
import { Contracts, OrderItemData, OrderKind } from '../shared/events/contracts';
import { Outbox } from '../shared/outbox/outbox.service';
import { CreateOrderDto } from './dto/create-order.dto';
import { decimalOfPrice, totalOf } from './money';
import { ordersCreated } from './order-metrics';
import { Order } from './order.entity';
import { OrderItem } from './order-item.entity';
import { OrderNotFoundError } from './orders.errors';

export interface OrderWithItems {
  readonly order: Order;
  readonly items: OrderItem[];
}

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

/** Orders and their order.created events. An order and its event commit together (outbox). */
@Injectable()
export class OrdersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly users: UserDirectory,
  ) {}

  async create(dto: CreateOrderDto, requestId: string | null): Promise<OrderWithItems> {
    await this.users.ensureCanOrder(dto.userId, requestId);
    const draft: OrderDraft = {
      userId: dto.userId,
      kind: 'regular',
      items: dto.items.map((i) => ({ productId: i.productId, quantity: i.quantity, price: decimalOfPrice(i.price) })),
    };
    const created = await this.outbox.transaction((manager) => this.insert(manager, draft, requestId));
    // A regular order has a fresh id and no uniqueness rule of its own: it is always inserted.
    if (!created) throw new Error('regular order was not inserted');
    ordersCreated.inc({ kind: 'regular' });
    return created;
  }

  /**
   * Writes the order, its items and its order.created event in the caller's transaction.
   * Returns null (and writes nothing) when a uniqueness rule says the order exists already:
   * that is how a second welcome order for the same user is refused.
   */
  async insert(manager: EntityManager, draft: OrderDraft, requestId: string | null): Promise<OrderWithItems | null> {
    const id = randomUUID();
    const totalAmount = totalOf(draft.items);
    const rows = (await manager.query(
      `INSERT INTO orders (id, user_id, kind, status, total_amount, chain_started_at) VALUES ($1, $2, $3, 'pending', $4, $5)
       ON CONFLICT DO NOTHING RETURNING created_at, updated_at`,
      [id, draft.userId, draft.kind, totalAmount, draft.chainStartedAt ?? null],
    )) as { created_at: Date; updated_at: Date }[];
    if (rows.length === 0) return null;

    const items = draft.items.map((item, position) =>
      manager.create(OrderItem, { orderId: id, position, productId: item.productId, quantity: item.quantity, price: item.price }),
    );
    await manager.insert(OrderItem, items);
    await this.outbox.add(
      manager,
      Contracts.OrderCreated,
      {
        orderId: id,
        userId: draft.userId,
        kind: draft.kind,
        items: draft.items.map((i) => ({ productId: i.productId, quantity: i.quantity, price: i.price })),
        totalAmount,
      },
      requestId,
    );
    const order = manager.create(Order, {
      id,
      userId: draft.userId,
      kind: draft.kind,
      status: 'pending',
      totalAmount,
      chainStartedAt: draft.chainStartedAt ?? null,
      createdAt: rows[0].created_at,
      updatedAt: rows[0].updated_at,
    });
    return { order, items };
  }

  /** Newest first (created_at, then id, descending): the order a customer's history is read in. */
  async list(query: OrderListQuery): Promise<{ orders: OrderWithItems[]; total: number }> {
    const [orders, total] = await this.dataSource.manager.findAndCount(Order, {
      where: query.userId ? { userId: query.userId } : {},
      order: { createdAt: 'DESC', id: 'DESC' },
      take: query.limit,
      skip: query.offset,
    });
    const items = await this.itemsOf(orders.map((o) => o.id));
    return { orders: orders.map((order) => ({ order, items: items.get(order.id) ?? [] })), total };
  }

  async get(id: string): Promise<OrderWithItems> {
    const order = await this.dataSource.manager.findOneBy(Order, { id });
    if (!order) throw new OrderNotFoundError(id);
    const items = await this.itemsOf([id]);
    return { order, items: items.get(id) ?? [] };
  }

  private async itemsOf(orderIds: string[]): Promise<Map<string, OrderItem[]>> {
    const byOrder = new Map<string, OrderItem[]>();
    if (orderIds.length === 0) return byOrder;
    const items = await this.dataSource.manager.find(OrderItem, {
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
