import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePayments1764000000001 implements MigrationInterface {
  name = 'CreatePayments1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "payments" (
      "id" uuid PRIMARY KEY,
      "order_id" uuid NOT NULL,
      "user_id" uuid NOT NULL,
      "amount" numeric(14,2) NOT NULL CHECK ("amount" >= 0),
      "status" varchar(16) NOT NULL CHECK ("status" IN ('completed', 'failed')),
      "failure_reason" varchar(500),
      "created_at" timestamptz NOT NULL DEFAULT now(),
      CHECK (("status" = 'failed') = ("failure_reason" IS NOT NULL))
    )`);
    // One order, one payment: whatever event (or replay of it) asks to pay it again.
    await q.query('CREATE UNIQUE INDEX "payments_order_id_unique" ON "payments" ("order_id")');
    await q.query('CREATE INDEX "payments_created_at" ON "payments" ("created_at", "id")');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE "payments"');
  }
}
