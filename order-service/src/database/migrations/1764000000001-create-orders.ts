import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOrders1764000000001 implements MigrationInterface {
  name = 'CreateOrders1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "orders" (
      "id" uuid PRIMARY KEY,
      "user_id" uuid NOT NULL,
      "kind" varchar(16) NOT NULL CHECK ("kind" IN ('regular', 'welcome')),
      "status" varchar(16) NOT NULL DEFAULT 'pending' CHECK ("status" IN ('pending', 'paid', 'failed')),
      "total_amount" numeric(14,2) NOT NULL CHECK ("total_amount" >= 0),
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now()
    )`);
    // A user's orders, newest first (GET /orders?userId=...).
    await q.query('CREATE INDEX "orders_user_id_created_at" ON "orders" ("user_id", "created_at")');
    // The list without a filter, newest first.
    await q.query('CREATE INDEX "orders_created_at" ON "orders" ("created_at", "id")');
    // One welcome order per user, whatever event (or replay of it) asks for another.
    await q.query(`CREATE UNIQUE INDEX "orders_one_welcome_per_user" ON "orders" ("user_id") WHERE "kind" = 'welcome'`);

    await q.query(`CREATE TABLE "order_items" (
      "order_id" uuid NOT NULL REFERENCES "orders" ("id") ON DELETE CASCADE,
      "position" int NOT NULL CHECK ("position" >= 0),
      "product_id" varchar(255) NOT NULL,
      "quantity" int NOT NULL CHECK ("quantity" BETWEEN 1 AND 9999),
      "price" numeric(14,2) NOT NULL CHECK ("price" >= 0),
      PRIMARY KEY ("order_id", "position")
    )`);

    // Users this service has heard of (user.created, user.deleted, or asked user-service).
    await q.query(`CREATE TABLE "known_users" (
      "user_id" uuid PRIMARY KEY,
      "deleted_at" timestamptz NULL,
      "created_at" timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE "known_users"');
    await q.query('DROP TABLE "order_items"');
    await q.query('DROP TABLE "orders"');
  }
}
