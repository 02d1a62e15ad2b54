// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { IsString, Matches, MaxLength } from 'class-validator';
import { PRODUCT_ID } from '../events/contracts';

export { PRODUCT_ID };

/**
 * `product-` then letters, digits and dashes; at most 255 characters (the column's size, and it
 * keeps an order.created event far below Kafka's 1 MB message limit).
 */
export function IsProductId(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    IsString()(target, propertyName);
    MaxLength(255)(target, propertyName);
    Matches(PRODUCT_ID, { message: '$property must be "product-" then letters, digits and dashes, such as product-123' })(target, propertyName);
  };
}
