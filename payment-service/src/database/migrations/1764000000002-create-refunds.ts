import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRefunds1764000000002 implements MigrationInterface {
  name = 'CreateRefunds1764000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "refunds" (
      "id" uuid PRIMARY KEY,
      "payment_id" uuid NOT NULL REFERENCES "payments" ("id"),
      "order_id" uuid NOT NULL,
      "user_id" uuid NOT NULL,
      "amount" numeric(14,2) NOT NULL CHECK ("amount" >= 0),
      "status" varchar(16) NOT NULL CHECK ("status" IN ('completed', 'failed')),
      "attempts" int NOT NULL CHECK ("attempts" >= 1),
      "failure_reason" varchar(500),
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CHECK (("status" = 'failed') = ("failure_reason" IS NOT NULL))
    )`);
    // At most one refund per payment, whatever events (or redrives) ask for more.
    await q.query('CREATE UNIQUE INDEX "refunds_payment_id_unique" ON "refunds" ("payment_id")');
    await q.query('CREATE INDEX "refunds_order_id" ON "refunds" ("order_id")');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE "refunds"');
  }
}
