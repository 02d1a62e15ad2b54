import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { IsProductId } from './product-id';

class Item {
  @IsProductId() productId!: unknown;
}

const failing = (productId: unknown) => validateSync(plainToInstance(Item, { productId })).map((e) => e.property);
const messages = (productId: unknown) => validateSync(plainToInstance(Item, { productId })).flatMap((e) => Object.values(e.constraints ?? {}));

describe('@IsProductId', () => {
  it.each(['product-123', 'product-abc-XYZ-9', `product-${'a'.repeat(247)}`])('accepts %p', (id) => {
    expect(failing(id)).toEqual([]);
  });

  it.each(['sku-1', 'product-', 'product_1', 'product-1 ', ' product-1', 'product-ü', 123, null, `product-${'a'.repeat(248)}`])(
    'refuses %p',
    (id) => {
      expect(failing(id)).toEqual(['productId']);
    },
  );

  it('says what a product id looks like, not the pattern', () => {
    expect(messages('sku-1')).toEqual(['productId must be "product-" then letters, digits and dashes, such as product-123']);
  });
});
