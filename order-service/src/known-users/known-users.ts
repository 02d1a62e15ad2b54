import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '../shared/database/unit-of-work';
import { KnownUser } from './known-user.entity';

/** The local list of users, kept from user-service's events. Writes take part in the open unit of work. */
@Injectable()
export class KnownUsers {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  find(userId: string): Promise<KnownUser | null> {
    return this.unitOfWork.reader.findOneBy(KnownUser, { userId });
  }

  /**
   * Idempotent; a user already marked deleted stays deleted (ids are never reused).
   * Says whether the user is (still) active, as the open unit of work sees it.
   */
  async remember(userId: string): Promise<{ active: boolean }> {
    const manager = this.unitOfWork.transaction;
    // Usually one round trip: the row just inserted, or else the one that was there.
    const [row] = (await manager.query(
      `WITH inserted AS (
         INSERT INTO known_users (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING RETURNING deleted_at
       )
       SELECT deleted_at FROM inserted
       UNION ALL
       SELECT deleted_at FROM known_users WHERE user_id = $1 AND NOT EXISTS (SELECT 1 FROM inserted)`,
      [userId],
    )) as { deleted_at: Date | null }[];
    if (row) return { active: row.deleted_at === null };
    // Neither: another transaction inserted the user after this statement's snapshot was taken
    // (an order placed for the user right now); the conflict waited for it to commit, and a new
    // statement sees its row.
    const [committed] = (await manager.query('SELECT deleted_at FROM known_users WHERE user_id = $1', [userId])) as {
      deleted_at: Date | null;
    }[];
    return { active: committed?.deleted_at === null };
  }

  /** Idempotent; also records a user never seen before, so their orders are refused locally. */
  async markDeleted(userId: string): Promise<void> {
    await this.unitOfWork.transaction.query(
      `INSERT INTO known_users (user_id, deleted_at) VALUES ($1, now())
       ON CONFLICT (user_id) DO UPDATE SET deleted_at = COALESCE(known_users.deleted_at, EXCLUDED.deleted_at)`,
      [userId],
    );
  }
}
