import type { OrderResponseDto } from '../../shared/dto/orders';
import { toJsonNumber } from '../money';
import type { OrderWithItems } from '../orders.service';

/** Amounts leave as JSON numbers printed from exact decimals, never from float arithmetic. */
export function toOrderResponse({ order, items, history }: OrderWithItems): OrderResponseDto {
  return {
    id: order.id,
    userId: order.userId,
    kind: order.kind,
    status: order.status,
    items: items.map((i) => ({ productId: i.productId, quantity: i.quantity, price: toJsonNumber(i.price) })),
    totalAmount: toJsonNumber(order.totalAmount),
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
    ...(history ? { history: history.map((h) => ({ from: h.fromStatus, to: h.toStatus, trigger: h.trigger, at: h.at.toISOString() })) } : {}),
  };
}
