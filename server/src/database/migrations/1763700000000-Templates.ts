import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * WhatsApp message templates synced from each Meta channel's WABA, and the template an
 * outbound message was sent with (so a retry or a worker restart sends exactly the same one);
 * and the receipt poller's bookkeeping (how often a message's delivery state was asked for).
 */
export class Templates1763700000000 implements MigrationInterface {
  name = 'Templates1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages ADD COLUMN template jsonb`);
    await q.query(`ALTER TABLE messages ADD COLUMN receipt_polls integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE messages ADD COLUMN receipt_polled_at timestamptz`);
    // The poller's scan: outbound messages the provider accepted that have not reached delivered.
    await q.query(
      `CREATE INDEX messages_awaiting_receipt ON messages (sent_at) WHERE direction = 'outbound' AND status = 'sent' AND provider_message_id IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE message_templates (
        channel_id uuid NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
        name text NOT NULL,
        language text NOT NULL,
        status text NOT NULL,
        category text NOT NULL,
        components jsonb NOT NULL,
        synced_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (channel_id, name, language)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE message_templates`);
    await q.query(`DROP INDEX messages_awaiting_receipt`);
    await q.query(`ALTER TABLE messages DROP COLUMN receipt_polled_at, DROP COLUMN receipt_polls, DROP COLUMN template`);
  }
}
