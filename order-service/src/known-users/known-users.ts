import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { KnownUser } from './known-user.entity';

/** The local list of users, kept from user-service's events. Writes take the caller's transaction. */
@Injectable()
export class KnownUsers {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  find(userId: string): Promise<KnownUser | null> {
    return this.dataSource.manager.findOneBy(KnownUser, { userId });
  }

  /**
   * Idempotent; a user already marked deleted stays deleted (ids are never reused).
   * Says whether the user is (still) active, from the caller's transaction.
   */
  async remember(manager: EntityManager, userId: string): Promise<{ active: boolean }> {
    await manager.query('INSERT INTO known_users (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING', [userId]);
    const [row] = (await manager.query('SELECT deleted_at FROM known_users WHERE user_id = $1', [userId])) as {
      deleted_at: Date | null;
    }[];
    return { active: row?.deleted_at === null };
  }

  /** Idempotent; also records a user never seen before, so their orders are refused locally. */
  async markDeleted(manager: EntityManager, userId: string): Promise<void> {
    await manager.query(
      `INSERT INTO known_users (user_id, deleted_at) VALUES ($1, now())
       ON CONFLICT (user_id) DO UPDATE SET deleted_at = COALESCE(known_users.deleted_at, EXCLUDED.deleted_at)`,
      [userId],
    );
  }
}
