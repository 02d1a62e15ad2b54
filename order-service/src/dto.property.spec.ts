import { CreateOrderDto, ListOrdersQuery } from './shared/dto/orders';
import { badItems, badUuid, bodyProperties, items, page, queryProperties, uuid, validate } from './shared/validation/dto-properties.testing';

// Every DTO this app validates, through the ValidationPipe main.ts installs (the properties are in
// shared/validation/dto-properties.testing.ts).
describe("DTO properties (order-service's ValidationPipe)", () => {
  describe('CreateOrderDto', () => bodyProperties(CreateOrderDto, { userId: { valid: uuid, invalid: badUuid }, items: { valid: items, invalid: badItems } }));
  describe('ListOrdersQuery', () => queryProperties(ListOrdersQuery, { ...page, userId: { valid: uuid, invalid: badUuid.filter((v) => typeof v === 'string') } }));

  it('judges prices by their decimal digits, not their binary float (0.07, 0.1 + 0.2, 999999.99)', async () => {
    const order = (price: number) => ({ userId: '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b', items: [{ productId: 'product-1', quantity: 1, price }] });
    for (const [price, ok] of [[0.07, true], [0.1, true], [999999.99, true], [0.1 + 0.2, false], [1.005, false], [0.001, false]] as const) {
      expect({ price, ok: (await validate(CreateOrderDto, order(price))).ok }).toEqual({ price, ok });
    }
  });
});
