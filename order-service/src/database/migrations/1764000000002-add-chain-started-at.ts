import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the chain that created an order began: for a welcome order, the occurredAt of the
 * user.created event. Kept with the order so the user-to-paid latency can be measured when the
 * order becomes paid. NULL for regular orders.
 */
export class AddChainStartedAt1764000000002 implements MigrationInterface {
  name = 'AddChainStartedAt1764000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE "orders" ADD COLUMN "chain_started_at" timestamptz NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE "orders" DROP COLUMN "chain_started_at"');
  }
}
