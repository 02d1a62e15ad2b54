import type { OrderItemData } from '../shared/events/contracts';

/**
 * What every new user receives once: the one place the welcome order's content is defined.
 * Created when user.created arrives; see UserEventsService.
 */
export const WELCOME_ORDER_ITEMS: readonly OrderItemData[] = [
  { productId: 'product-welcome-kit', quantity: 1, price: '0.01' },
];
