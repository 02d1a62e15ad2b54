import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DUMMY_PASSWORD_HASH } from '../users/dummy-hash';
import { PasswordHasher } from '../users/password-hasher';
import { User } from '../users/user.entity';

/**
 * Checks an email and password. The same work whether the email is known or not: one indexed
 * lookup and one argon2 verification (against a dummy hash for an unknown email), so neither the
 * answer nor its timing says which emails have an account.
 */
@Injectable()
export class CredentialsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
  ) {}

  async verify(email: string, password: string): Promise<User | null> {
    const user = await this.dataSource.manager
      .createQueryBuilder(User, 'u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: email.trim().toLowerCase() })
      .getOne();
    const matches = await this.hasher.verify(user?.passwordHash ?? DUMMY_PASSWORD_HASH, password);
    return user && matches ? user : null;
  }
}
