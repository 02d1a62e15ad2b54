import { ListPaymentsQuery } from './shared/dto/payments';
import { badUuid, page, queryProperties, uuid } from './shared/validation/dto-properties.testing';

// Every DTO this app validates, through the ValidationPipe main.ts installs (the properties are in
// shared/validation/dto-properties.testing.ts).
describe("DTO properties (payment-service's ValidationPipe)", () => {
  describe('ListPaymentsQuery', () => queryProperties(ListPaymentsQuery, { ...page, orderId: { valid: uuid, invalid: badUuid.filter((v) => typeof v === 'string') } }));
});
