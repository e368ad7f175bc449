import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * history_syncs: one row per history import of a channel (the Android gateway's inbox replayed
 * as webhooks). The partial unique index allows one running import per channel, which is what
 * answers a second POST /sync with 409 even when two arrive at once.
 */
export class HistorySync1763800000000 implements MigrationInterface {
  name = 'HistorySync1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE history_syncs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        channel_id uuid NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
        state text NOT NULL DEFAULT 'running',
        since timestamptz NOT NULL,
        until timestamptz NOT NULL,
        total integer,
        imported integer NOT NULL DEFAULT 0,
        skipped integer NOT NULL DEFAULT 0,
        error text,
        started_at timestamptz NOT NULL DEFAULT now(),
        requested_at timestamptz,
        last_activity_at timestamptz NOT NULL DEFAULT now(),
        progress_at timestamptz NOT NULL DEFAULT now(),
        progress_count integer NOT NULL DEFAULT 0,
        finished_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX history_syncs_one_running ON history_syncs (channel_id) WHERE state = 'running'`);
    await q.query(`CREATE INDEX history_syncs_channel_started ON history_syncs (channel_id, started_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS history_syncs`);
  }
}
