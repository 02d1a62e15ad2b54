import fc from 'fast-check';
import { PageQuery } from './shared/http/pagination';
import { bodyProperties, notString, page, queryProperties, tooLong, userFields } from './shared/validation/dto-properties.testing';
import { SessionLoginDto } from './auth/session.dto';
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
  // The client fields may be left out; sent, they are strings (null included among the refused: it
  // once reached the session insert and answered 500).
  describe('SessionLoginDto', () =>
    bodyProperties(SessionLoginDto, {
      email: { valid: fc.string({ maxLength: 255 }), invalid: fc.oneof(notString, tooLong(255)) },
      password: { valid: fc.string({ maxLength: 128 }), invalid: fc.oneof(notString, tooLong(128)) },
      userAgent: { valid: fc.string({ maxLength: 300 }), invalid: fc.oneof(notString, tooLong(300)), optional: true },
      ip: { valid: fc.string({ maxLength: 64 }), invalid: fc.oneof(notString, tooLong(64)), optional: true },
    }));
  describe('PageQuery', () => queryProperties(PageQuery, page));
});
