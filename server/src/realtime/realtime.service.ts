import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { RealtimeEvent, SyncEvent } from '@switchboard/contracts';
import { DataSource, type EntityManager } from 'typeorm';

/** The channel realtime notifications travel on, from any process to every api node. */
export const REALTIME_CHANNEL = 'switchboard_realtime';

/** Largest sync served; past it the client is told to refetch instead. */
export const SYNC_LIMIT = 1000;

/**
 * A sync also repeats this many events before the client's lastSeq. Seqs are taken when a
 * transaction inserts its event, but become visible when it commits, so an event with a lower
 * seq can commit just after the client saw a higher one. Clients apply events idempotently,
 * so the repeat costs nothing and closes that gap.
 */
export const SYNC_OVERLAP = 50;

/** NOTIFY payloads are limited to 8000 bytes; larger events travel by seq and are re-read. */
const NOTIFY_INLINE_LIMIT = 7500;

/** An event without its seq (assigned by the database). */
export type PendingEvent = {
  [K in RealtimeEvent['type']]: { type: K; data: Omit<Extract<RealtimeEvent, { type: K }>['data'], 'seq'> };
}[RealtimeEvent['type']];

export interface Notification {
  seq: number;
  tenantId: string;
  type?: RealtimeEvent['type'];
  data?: Record<string, unknown>;
  big?: boolean;
}

/**
 * Appends what agents should see to realtime_events in the caller's transaction and queues a
 * NOTIFY that PostgreSQL delivers only on commit: an event is emitted if and only if its change
 * is durable, from whichever process made it (api or worker), to every api node.
 */
@Injectable()
export class RealtimeService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async append(manager: EntityManager, tenantId: string, threadId: string | null, event: PendingEvent): Promise<number> {
    const payload = JSON.stringify(event.data);
    const rows: { seq: string }[] = await manager.query(
      `WITH ins AS (
         INSERT INTO realtime_events (tenant_id, thread_id, type, payload) VALUES ($1, $2, $3, $4::text::jsonb) RETURNING seq
       )
       SELECT seq, pg_notify($5, CASE WHEN length($4::text) < ${NOTIFY_INLINE_LIMIT}
         THEN json_build_object('seq', seq, 'tenantId', $1::text, 'type', $3::text, 'data', $4::text::jsonb)::text
         ELSE json_build_object('seq', seq, 'tenantId', $1::text, 'big', true)::text END)
       FROM ins`,
      [tenantId, threadId, event.type, payload, REALTIME_CHANNEL],
    );
    return Number(rows[0].seq);
  }

  async currentSeq(tenantId: string): Promise<number> {
    const rows: { seq: string | null }[] = await this.db.query(`SELECT max(seq) AS seq FROM realtime_events WHERE tenant_id = $1`, [
      tenantId,
    ]);
    return Number(rows[0]?.seq ?? 0);
  }

  /** The newest seq across tenants: where a listener starts. */
  async latestSeq(): Promise<number> {
    const rows: { seq: string | null }[] = await this.db.query(`SELECT max(seq) AS seq FROM realtime_events`);
    return Number(rows[0]?.seq ?? 0);
  }

  async load(seq: number): Promise<(RealtimeEvent & { tenantId: string }) | null> {
    const rows: { seq: string; tenant_id: string; type: RealtimeEvent['type']; payload: Record<string, unknown> }[] = await this.db.query(
      `SELECT seq, tenant_id, type, payload FROM realtime_events WHERE seq = $1`,
      [seq],
    );
    const r = rows[0];
    return r
      ? ({ tenantId: r.tenant_id, type: r.type, data: { ...r.payload, seq: Number(r.seq) } } as RealtimeEvent & { tenantId: string })
      : null;
  }

  async since(tenantId: string, lastSeq: number): Promise<SyncEvent> {
    const rows: { seq: string; type: RealtimeEvent['type']; payload: Record<string, unknown> }[] = await this.db.query(
      `SELECT seq, type, payload FROM realtime_events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT ${SYNC_LIMIT + SYNC_OVERLAP + 1}`,
      [tenantId, lastSeq - SYNC_OVERLAP],
    );
    const current = await this.currentSeq(tenantId);
    if (rows.filter((r) => Number(r.seq) > lastSeq).length > SYNC_LIMIT || lastSeq > current) {
      // Too far behind, or a seq from another database (a reset install): refetch instead.
      return { reset: true, events: [], lastSeq: current };
    }
    const events = rows.map((r) => ({ type: r.type, data: { ...r.payload, seq: Number(r.seq) } }) as RealtimeEvent);
    return { reset: false, events, lastSeq: Math.max(current, lastSeq) };
  }
}
