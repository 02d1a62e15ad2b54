import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A user this service has heard of: from user.created, user.deleted, or by asking user-service.
 * Users are never removed from here; a deleted one keeps its row with `deletedAt` set.
 */
@Entity('known_users')
export class KnownUser {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
