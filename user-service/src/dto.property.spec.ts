import fc from 'fast-check';
import { PageQuery } from './shared/http/pagination';
import { bodyProperties, notString, page, queryProperties, tooLong, userFields } from './shared/validation/dto-properties.testing';
import { CreateUserDto, LoginDto as VerifyCredentialsDto, UpdateUserDto } from './shared/dto/users';

// Every DTO this app validates, through the ValidationPipe main.ts installs (the properties are in
// shared/validation/dto-properties.testing.ts).
describe("DTO properties (user-service's ValidationPipe)", () => {
  // role: null is taken as left out (the default role), so it is not among the invalid values.
  describe('CreateUserDto', () => bodyProperties(CreateUserDto, { ...userFields(), role: { valid: fc.constantFrom('user', 'admin'), invalid: fc.oneof(notString.filter((v) => v !== null), fc.string().filter((s) => s !== 'user' && s !== 'admin')), optional: true } }));
  describe('UpdateUserDto', () => bodyProperties(UpdateUserDto, userFields(true)));
  describe('VerifyCredentialsDto', () =>
    bodyProperties(VerifyCredentialsDto, {
      email: { valid: fc.string({ maxLength: 255 }), invalid: fc.oneof(notString, tooLong(255)) },
      password: { valid: fc.string({ maxLength: 128 }), invalid: fc.oneof(notString, tooLong(128)) },
    }));
  describe('PageQuery', () => queryProperties(PageQuery, page));
});
