// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys of the services that take them (user-service, order-service): one row per
 * caller scope and key, with the fingerprint of the first request and its answer. Written in the
 * transaction of the write it stands for; deleted after the retention (IDEMPOTENCY_KEY_RETENTION).
 */
export class IdempotencyKeys1764500000000 implements MigrationInterface {
  name = 'IdempotencyKeys1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "idempotency_keys" (
      "scope" varchar(64) NOT NULL,
      "idempotency_key" varchar(255) NOT NULL,
      "request_hash" char(64) NOT NULL,
      "response_status" smallint NOT NULL,
      "response_body" text NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("scope", "idempotency_key")
    )`);
    // The cleanup deletes by age.
    await q.query('CREATE INDEX "idempotency_keys_created_at" ON "idempotency_keys" ("created_at")');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE "idempotency_keys"');
  }
}
