import { UnauthorizedException } from '@nestjs/common';
import { User } from '../users/user.entity';
import { AuthController } from './auth.controller';
import { CredentialsService } from './credentials.service';

const john = Object.assign(new User(), {
  id: 'b3f1c1d2-1111-4a4a-8b8b-123456789abc',
  email: 'john@example.com',
  name: 'John',
  passwordHash: '$argon2id$secret',
  role: 'user' as const,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-01-01T00:00:00Z'),
});

describe('AuthController', () => {
  const credentials = { verify: jest.fn() };
  const sut = new AuthController(credentials as unknown as CredentialsService);

  it('answers the user, without the hash, for a matching pair', async () => {
    credentials.verify.mockResolvedValueOnce(john);

    const body = await sut.verify({ email: 'john@example.com', password: 'SecurePass123!' });

    expect(body).toMatchObject({ id: john.id, email: 'john@example.com', role: 'user' });
    expect(JSON.stringify(body)).not.toContain('argon2');
  });

  it('answers one 401 for any failure, whatever the reason', async () => {
    credentials.verify.mockResolvedValueOnce(null);

    await expect(sut.verify({ email: 'nobody@example.com', password: 'x' })).rejects.toThrow(
      new UnauthorizedException('invalid email or password'),
    );
  });
});
