import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { camelize } from '../common/rows';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { RealtimeService } from '../realtime/realtime.service';
import { toHistorySyncView, type HistorySyncRow } from './history-sync.dto';

/** Progress is pushed at most this often, or after this many messages, whichever comes first. */
export const PROGRESS_EVERY_MS = 500;
export const PROGRESS_EVERY_MESSAGES = 25;

/** How long a provider may take to accept a history request before the import is given up. */
const REQUEST_GRACE_MS = 180_000;

/**
 * The state of history imports (history_syncs) and their progress events. Ingest reports every
 * inbound message it applies (`record`, in the message's own transaction, so a counter moves
 * if and only if the message committed); an import ends `done` when the provider's announced
 * total is reached or when no message arrived for `historySync.idleMs`. That idle check is a
 * sweep of running rows every idleMs/4 (0.1 to 5 s) in every process, like the webhook sweeper:
 * no delayed job to lose when Redis or a process restarts, and the finishing UPDATE is
 * conditional, so concurrent sweeps end an import once.
 */
@Injectable()
export class HistorySyncTracker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HistorySyncTracker.name);
  private timer: NodeJS.Timeout | null = null;
  private sweeping = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly realtime: RealtimeService,
  ) {}

  onApplicationBootstrap(): void {
    const every = Math.min(Math.max(Math.floor(this.config.historySync.idleMs / 4), 100), 5000);
    this.timer = setInterval(() => void this.sweep(), every);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Starts an import and pushes its first `running` event; null when one is already running. */
  begin(tenantId: string, channelId: string, since: Date, until: Date): Promise<HistorySyncRow | null> {
    return this.db.transaction(async (m) => {
      const rows: Record<string, unknown>[] = await m.query(
        `INSERT INTO history_syncs (tenant_id, channel_id, since, until) VALUES ($1, $2, $3, $4)
         ON CONFLICT (channel_id) WHERE state = 'running' DO NOTHING RETURNING *`,
        [tenantId, channelId, since, until],
      );
      if (!rows[0]) return null;
      const row = camelize<HistorySyncRow>(rows[0]);
      await this.emit(m, row);
      return row;
    });
  }

  /** The provider accepted the request: the idle clock starts now. */
  requested(id: string, total: number | null): Promise<HistorySyncRow | null> {
    return this.db.transaction(async (m) => {
      const row = await this.update(
        m,
        `UPDATE history_syncs SET requested_at = now(), total = $2 WHERE id = $1 AND state = 'running' RETURNING *`,
        [id, total],
      );
      if (!row) return this.byId(m, id);
      if (total === null) return row;
      if (row.imported + row.skipped >= total) return (await this.finishIn(m, id, 'done', null)) ?? row;
      await this.emit(m, row);
      return row;
    });
  }

  finish(id: string, state: 'done' | 'failed', error: string | null): Promise<HistorySyncRow | null> {
    return this.db.transaction((m) => this.finishIn(m, id, state, error));
  }

  /**
   * Ingest's hook: an inbound message on `channelId` was stored (`message`) or was one we had
   * (`duplicate`). Counts it against the channel's running import, if any.
   */
  async record(m: EntityManager, channelId: string, outcome: string): Promise<void> {
    const imported = outcome === 'message' ? 1 : 0;
    const skipped = outcome === 'duplicate' ? 1 : 0;
    if (imported + skipped === 0) return;
    const row = await this.update(
      m,
      `UPDATE history_syncs SET imported = imported + $2, skipped = skipped + $3, last_activity_at = now()
       WHERE channel_id = $1 AND state = 'running' RETURNING *, extract(epoch FROM clock_timestamp() - progress_at) * 1000 AS since_progress_ms`,
      [channelId, imported, skipped],
    );
    if (!row) return;
    const count = row.imported + row.skipped;
    if (row.total !== null && count >= row.total) {
      await this.finishIn(m, row.id, 'done', null);
      return;
    }
    const sinceProgressMs = Number((row as HistorySyncRow & { sinceProgressMs: unknown }).sinceProgressMs);
    if (count - row.progressCount < PROGRESS_EVERY_MESSAGES && sinceProgressMs < PROGRESS_EVERY_MS) return;
    await m.query(`UPDATE history_syncs SET progress_at = clock_timestamp(), progress_count = $2 WHERE id = $1`, [row.id, count]);
    await this.emit(m, row);
  }

  async latest(channelId: string): Promise<HistorySyncRow | null> {
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT * FROM history_syncs WHERE channel_id = $1 ORDER BY started_at DESC LIMIT 1`,
      [channelId],
    );
    return rows[0] ? camelize<HistorySyncRow>(rows[0]) : null;
  }

  /** Ends imports that went quiet (done) or whose request never came back (failed). */
  async sweep(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    try {
      return await this.db.transaction(async (m) => {
        const rows: Record<string, unknown>[] = await m.query(
          `WITH u AS (
             UPDATE history_syncs SET
               state = CASE WHEN requested_at IS NULL THEN 'failed' ELSE 'done' END,
               error = CASE WHEN requested_at IS NULL THEN 'the provider never answered the history request' ELSE error END,
               finished_at = now()
             WHERE state = 'running' AND (
               (requested_at IS NOT NULL AND greatest(last_activity_at, requested_at) < now() - $1::interval)
               OR (requested_at IS NULL AND started_at < now() - $2::interval))
             RETURNING *)
           SELECT * FROM u`,
          [`${this.config.historySync.idleMs} milliseconds`, `${REQUEST_GRACE_MS + this.config.historySync.idleMs} milliseconds`],
        );
        for (const r of rows) await this.emit(m, camelize<HistorySyncRow>(r));
        return rows.length;
      });
    } catch (err) {
      this.logger.warn(`history sync sweep failed: ${(err as Error).message}`);
      return 0;
    } finally {
      this.sweeping = false;
    }
  }

  private async finishIn(m: EntityManager, id: string, state: 'done' | 'failed', error: string | null): Promise<HistorySyncRow | null> {
    const row = await this.update(
      m,
      `UPDATE history_syncs SET state = $2, error = $3, finished_at = now() WHERE id = $1 AND state = 'running' RETURNING *`,
      [id, state, error],
    );
    if (row) await this.emit(m, row);
    return row;
  }

  private async update(m: EntityManager, sql: string, params: unknown[]): Promise<HistorySyncRow | null> {
    // A CTE so the driver hands back plain rows (a bare UPDATE answers [rows, count]).
    const rows: Record<string, unknown>[] = await m.query(`WITH u AS (${sql}) SELECT * FROM u`, params);
    return rows[0] ? camelize<HistorySyncRow>(rows[0]) : null;
  }

  private async byId(m: EntityManager, id: string): Promise<HistorySyncRow | null> {
    const rows: Record<string, unknown>[] = await m.query(`SELECT * FROM history_syncs WHERE id = $1`, [id]);
    return rows[0] ? camelize<HistorySyncRow>(rows[0]) : null;
  }

  private async emit(m: EntityManager, row: HistorySyncRow): Promise<void> {
    await this.realtime.append(m, row.tenantId, null, { type: 'history_sync', data: toHistorySyncView(row) });
  }
}
