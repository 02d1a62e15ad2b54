import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsers1764000000001 implements MigrationInterface {
  name = 'CreateUsers1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "users" (
      "id" uuid PRIMARY KEY,
      "email" varchar(255) NOT NULL,
      "name" varchar(255) NOT NULL,
      "password_hash" varchar(255) NOT NULL,
      "role" varchar(16) NOT NULL DEFAULT 'user',
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now()
    )`);
    // Emails are stored lower-cased; the index makes "A@x.io" and "a@x.io" the same account.
    await q.query('CREATE UNIQUE INDEX "users_email_unique" ON "users" ("email")');
    await q.query('CREATE INDEX "users_created_at" ON "users" ("created_at", "id")');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE "users"');
  }
}
