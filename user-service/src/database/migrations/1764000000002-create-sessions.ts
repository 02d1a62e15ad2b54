import { MigrationInterface, QueryRunner } from 'typeorm';

/** Sessions (one per login) and their refresh tokens, stored as SHA-256 digests only. */
export class CreateSessions1764000000002 implements MigrationInterface {
  name = 'CreateSessions1764000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "sessions" (
      "id" uuid PRIMARY KEY,
      "user_id" uuid NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "last_used_at" timestamptz NOT NULL DEFAULT now(),
      "user_agent" varchar(300),
      "ip" varchar(64),
      "ended_at" timestamptz,
      "end_reason" varchar(40)
    )`);
    await q.query('CREATE INDEX "sessions_user_id" ON "sessions" ("user_id", "created_at")');
    // A token's digest is its key: the token itself is never stored.
    await q.query(`CREATE TABLE "refresh_tokens" (
      "token_hash" char(64) PRIMARY KEY,
      "session_id" uuid NOT NULL REFERENCES "sessions" ("id") ON DELETE CASCADE,
      "issued_at" timestamptz NOT NULL DEFAULT now(),
      "expires_at" timestamptz NOT NULL,
      "rotated_at" timestamptz
    )`);
    await q.query('CREATE INDEX "refresh_tokens_session_id" ON "refresh_tokens" ("session_id")');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE "refresh_tokens"');
    await q.query('DROP TABLE "sessions"');
  }
}
