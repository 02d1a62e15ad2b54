import fc from 'fast-check';
import { RegisterDto } from './auth/dto/register.dto';
import { CreateOrderDto, ListOrdersQuery } from './shared/dto/orders';
import { ListPaymentsQuery } from './shared/dto/payments';
import { CreateUserDto, LoginDto, UpdateUserDto } from './shared/dto/users';
import { PageQuery } from './shared/http/pagination';
import { badItems, badUuid, bodyProperties, items, notString, page, queryProperties, tooLong, userFields, uuid, validate } from './shared/validation/dto-properties.testing';

// Every DTO this app validates, through the ValidationPipe main.ts installs (the properties are in
// shared/validation/dto-properties.testing.ts).
describe('DTO properties (the gateway\'s ValidationPipe)', () => {
  // role: null is taken as left out (the default role), so it is not among the invalid values.
  describe('CreateUserDto', () => bodyProperties(CreateUserDto, { ...userFields(), role: { valid: fc.constantFrom('user', 'admin'), invalid: fc.oneof(notString.filter((v) => v !== null), fc.string().filter((s) => s !== 'user' && s !== 'admin')), optional: true } }));
  describe('UpdateUserDto', () => bodyProperties(UpdateUserDto, userFields(true)));
  describe('RegisterDto', () => bodyProperties(RegisterDto, { ...userFields(), role: { valid: fc.constant('user'), invalid: fc.oneof(notString.filter((v) => v !== null), fc.string().filter((s) => s !== 'user' && s !== 'admin')), optional: true } }));
  describe('LoginDto', () =>
    bodyProperties(LoginDto, {
      email: { valid: fc.string({ maxLength: 255 }), invalid: fc.oneof(notString, tooLong(255)) },
      password: { valid: fc.string({ maxLength: 128 }), invalid: fc.oneof(notString, tooLong(128)) },
    }));
  describe('CreateOrderDto', () => bodyProperties(CreateOrderDto, { userId: { valid: uuid, invalid: badUuid }, items: { valid: items, invalid: badItems } }));
  describe('PageQuery', () => queryProperties(PageQuery, page));
  describe('ListOrdersQuery', () => queryProperties(ListOrdersQuery, { ...page, userId: { valid: uuid, invalid: badUuid.filter((v) => typeof v === 'string') } }));
  describe('ListPaymentsQuery', () => queryProperties(ListPaymentsQuery, { ...page, orderId: { valid: uuid, invalid: badUuid.filter((v) => typeof v === 'string') } }));

  it('judges prices by their decimal digits, not their binary float (0.07, 0.1 + 0.2, 999999.99)', async () => {
    const order = (price: number) => ({ userId: '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b', items: [{ productId: 'product-1', quantity: 1, price }] });
    for (const [price, ok] of [[0.07, true], [0.1, true], [999999.99, true], [0.1 + 0.2, false], [1.005, false], [0.001, false]] as const) {
      expect({ price, ok: (await validate(CreateOrderDto, order(price))).ok }).toEqual({ price, ok });
    }
  });
});
