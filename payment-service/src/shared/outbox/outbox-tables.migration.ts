// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { MigrationInterface, QueryRunner } from 'typeorm';

/** The outbox and the idempotency ledger; every service that publishes or consumes events has both. */
export class OutboxTables1764000000000 implements MigrationInterface {
  name = 'OutboxTables1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "outbox_messages" (
      "id" BIGSERIAL PRIMARY KEY,
      "topic" varchar(255) NOT NULL,
      "message_key" varchar(255) NOT NULL,
      "payload" jsonb NOT NULL,
      "headers" jsonb NOT NULL DEFAULT '{}'::jsonb,
      "created_at" timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE "processed_events" (
      "consumer" varchar(100) NOT NULL,
      "event_id" uuid NOT NULL,
      "processed_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("consumer", "event_id")
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE "processed_events"');
    await q.query('DROP TABLE "outbox_messages"');
  }
}
