import { MigrationInterface, QueryRunner } from 'typeorm';

const ALL_STATUSES = `'pending', 'paid', 'failed', 'cancelled', 'expired', 'refund_pending', 'refunded', 'refund_failed'`;

/**
 * The order saga: the new statuses, the payment an order was paid with (a cancel after payment
 * refunds it), when a refund was asked for (cancel-to-refunded latency), and every status change
 * of every order, kept so that a client (and a test) can see that no status ever went backwards.
 */
export class OrderSaga1764000000003 implements MigrationInterface {
  name = 'OrderSaga1764000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE "orders" DROP CONSTRAINT IF EXISTS "orders_status_check"');
    await q.query(`ALTER TABLE "orders" ALTER COLUMN "status" TYPE varchar(16)`);
    await q.query(`ALTER TABLE "orders" ADD CONSTRAINT "orders_status_check" CHECK ("status" IN (${ALL_STATUSES}))`);
    await q.query('ALTER TABLE "orders" ADD COLUMN "payment_id" uuid NULL');
    await q.query('ALTER TABLE "orders" ADD COLUMN "paid_amount" numeric(14,2) NULL CHECK ("paid_amount" >= 0)');
    await q.query('ALTER TABLE "orders" ADD COLUMN "refund_requested_at" timestamptz NULL');
    // The expiry sweep reads only pending orders, oldest first.
    await q.query(`CREATE INDEX "orders_pending_created_at" ON "orders" ("created_at") WHERE "status" = 'pending'`);

    await q.query(`CREATE TABLE "order_status_history" (
      "id" bigserial PRIMARY KEY,
      "order_id" uuid NOT NULL REFERENCES "orders" ("id") ON DELETE CASCADE,
      "from_status" varchar(16) NULL CHECK ("from_status" IN (${ALL_STATUSES})),
      "to_status" varchar(16) NOT NULL CHECK ("to_status" IN (${ALL_STATUSES})),
      "trigger" varchar(32) NOT NULL,
      "at" timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);
    await q.query('CREATE INDEX "order_status_history_order_id" ON "order_status_history" ("order_id", "id")');
    // Orders created before the saga get their start in the history, so every history begins at pending.
    await q.query(`INSERT INTO "order_status_history" ("order_id", "from_status", "to_status", "trigger", "at")
      SELECT "id", NULL, 'pending', 'created', "created_at" FROM "orders"`);
    await q.query(`INSERT INTO "order_status_history" ("order_id", "from_status", "to_status", "trigger", "at")
      SELECT "id", 'pending', "status", CASE "status" WHEN 'paid' THEN 'payment_completed' ELSE 'payment_failed' END, "updated_at"
      FROM "orders" WHERE "status" <> 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE "order_status_history"');
    await q.query('DROP INDEX "orders_pending_created_at"');
    await q.query('ALTER TABLE "orders" DROP COLUMN "refund_requested_at"');
    await q.query('ALTER TABLE "orders" DROP COLUMN "paid_amount"');
    await q.query('ALTER TABLE "orders" DROP COLUMN "payment_id"');
    await q.query('ALTER TABLE "orders" DROP CONSTRAINT "orders_status_check"');
    await q.query(`ALTER TABLE "orders" ADD CONSTRAINT "orders_status_check" CHECK ("status" IN ('pending', 'paid', 'failed'))`);
  }
}
