import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Role } from '../shared/events/contracts';

// What the migrations create, declared here too: `npm run migration:generate` then writes only
// what an entity change adds, never a DROP of these (e2e/run/app-scripts.run-spec.ts).
@Entity('users')
@Index('users_email_unique', ['email'], { unique: true })
@Index('users_created_at', ['createdAt', 'id'])
export class User {
  @PrimaryColumn('uuid')
  id!: string;

  /** Stored lower-cased: one account per address whatever the caller's casing. */
  @Column({ type: 'varchar', length: 255 })
  email!: string;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  /** argon2id; never selected unless asked for, never serialized. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, select: false })
  passwordHash!: string;

  @Column({ type: 'varchar', length: 16, default: 'user' })
  role!: Role;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
