import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CreateUserDto, UpdateUserDto } from './users';

async function failingFields(cls: new () => object, body: Record<string, unknown>): Promise<string[]> {
  const errors = await validate(plainToInstance(cls, body), { whitelist: true, forbidNonWhitelisted: true });
  return errors.map((e) => e.property).sort();
}

const valid = { email: 'john@example.com', name: 'John Doe', password: 'SecurePass123!' };

describe('CreateUserDto', () => {
  it('accepts the seed example, with or without a role', async () => {
    expect(await failingFields(CreateUserDto, valid)).toEqual([]);
    expect(await failingFields(CreateUserDto, { ...valid, role: 'admin' })).toEqual([]);
  });

  it.each([
    ['email', 'not-an-email'],
    ['email', `${'a'.repeat(250)}@example.com`],
    ['email', 42],
    ['name', ''],
    ['name', 'x'.repeat(256)],
    ['name', { first: 'John' }],
    ['password', 'short'],
    ['password', 12345678],
    ['password', 'securepass123!'],
    ['password', 'SecurePass123'],
    ['email', 'throwaway@mailinator.com'],
    ['role', 'root'],
  ])('refuses %s = %p', async (field, value) => {
    expect(await failingFields(CreateUserDto, { ...valid, [field]: value })).toEqual([field]);
  });

  it('refuses unknown fields', async () => {
    expect(await failingFields(CreateUserDto, { ...valid, isAdmin: true })).toEqual(['isAdmin']);
  });

  it('requires every mandatory field', async () => {
    expect(await failingFields(CreateUserDto, {})).toEqual(['email', 'name', 'password']);
  });
});

describe('UpdateUserDto', () => {
  it('accepts any subset and an empty body', async () => {
    expect(await failingFields(UpdateUserDto, {})).toEqual([]);
    expect(await failingFields(UpdateUserDto, { name: 'New' })).toEqual([]);
  });

  it('refuses a role change and bad values', async () => {
    expect(await failingFields(UpdateUserDto, { role: 'admin' })).toEqual(['role']);
    expect(await failingFields(UpdateUserDto, { email: 'nope', password: 'short' })).toEqual(['email', 'password']);
    expect(await failingFields(UpdateUserDto, { email: 'a@yopmail.com', password: 'alllowercase1!' })).toEqual(['email', 'password']);
  });
});
