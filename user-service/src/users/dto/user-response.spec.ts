import { User } from '../user.entity';
import { toUserResponse } from './user-response';

describe('toUserResponse', () => {
  it('shows a user without the password hash', () => {
    const user = Object.assign(new User(), {
      id: 'b3f1c1d2-1111-4a4a-8b8b-123456789abc',
      email: 'john@example.com',
      name: 'John',
      passwordHash: '$argon2id$v=19$secret',
      role: 'user' as const,
      createdAt: new Date('2026-01-01T00:00:00Z'),
      updatedAt: new Date('2026-01-02T00:00:00Z'),
    });
    const sut = toUserResponse(user);
    expect(sut).toEqual({
      id: user.id,
      email: 'john@example.com',
      name: 'John',
      role: 'user',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-02T00:00:00.000Z',
    });
    expect(JSON.stringify(sut)).not.toContain('argon2');
  });
});
