import { Injectable } from '@nestjs/common';
import type { ThreadView } from '@switchboard/contracts';
import type { EntityManager } from 'typeorm';
import { camelize } from '../common/rows';
import type { PersonIdentity } from '../providers/provider.types';
import type { Thread } from './thread.entity';
import { toThreadView, type ThreadRow } from './threads.dto';

/** The SELECT every thread view is read with: the thread, its provider and its contact. */
export const THREAD_VIEW_SELECT = `
  SELECT t.*, ch.provider AS channel_provider,
    CASE WHEN ct.id IS NULL THEN NULL ELSE json_build_object(
      'id', ct.id, 'phone', ct.phone, 'name', ct.name, 'aliases', ct.aliases, 'optedOut', ct.opted_out) END AS contact_view
  FROM threads t
  JOIN channels ch ON ch.id = t.channel_id
  LEFT JOIN contacts ct ON ct.id = t.contact_id`;

export function rowsToViews(rows: Record<string, unknown>[]): ThreadView[] {
  return rows.map((r) => toThreadView(camelize<ThreadRow>(r)));
}

/** Thread persistence shared by ingest, sending and the threads API. */
@Injectable()
export class ThreadStore {
  async view(manager: EntityManager, threadId: string): Promise<ThreadView | null> {
    const rows: Record<string, unknown>[] = await manager.query(`${THREAD_VIEW_SELECT} WHERE t.id = $1`, [threadId]);
    return rowsToViews(rows)[0] ?? null;
  }

  async find(manager: EntityManager, tenantId: string, threadId: string): Promise<Thread | null> {
    const rows: Record<string, unknown>[] = await manager.query(`SELECT * FROM threads WHERE id = $1 AND tenant_id = $2`, [
      threadId,
      tenantId,
    ]);
    return rows[0] ? camelize<Thread>(rows[0]) : null;
  }

  /**
   * The thread for (channel, address), created on first contact. The raw address is kept from
   * the first message: replies keep going where the conversation started.
   */
  async upsert(
    manager: EntityManager,
    p: { tenantId: string; channelId: string; contactId: string | null; identity: PersonIdentity; displayName: string | null; at: Date },
  ): Promise<Thread> {
    // A new thread starts at its first message's time, so late-delivered history sorts right.
    const rows: Record<string, unknown>[] = await manager.query(
      `INSERT INTO threads (tenant_id, channel_id, contact_id, address, raw_address, display_name, last_message_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (channel_id, address) DO UPDATE SET
         contact_id = coalesce(threads.contact_id, EXCLUDED.contact_id),
         display_name = coalesce(EXCLUDED.display_name, threads.display_name)
       RETURNING *`,
      [p.tenantId, p.channelId, p.contactId, p.identity.address, p.identity.raw, p.displayName, p.at],
    );
    return camelize<Thread>(rows[0]);
  }

  /**
   * Folds a new message into the thread's summary. Only a message newer than the current last
   * one replaces the preview (late deliveries do not rewind the list); an inbound message counts
   * as unread and brings a resolved or snoozed conversation back to open.
   */
  async applyMessage(manager: EntityManager, threadId: string, m: { orderedAt: Date; preview: string; inbound: boolean }): Promise<void> {
    await manager.query(
      `UPDATE threads SET
         last_message_preview = CASE WHEN $2 >= last_message_at OR last_message_preview IS NULL THEN $3 ELSE last_message_preview END,
         last_message_at = GREATEST(last_message_at, $2),
         unread_count = unread_count + CASE WHEN $4 THEN 1 ELSE 0 END,
         last_inbound_at = CASE WHEN $4 THEN GREATEST(coalesce(last_inbound_at, $2), $2) ELSE last_inbound_at END,
         status = CASE WHEN $4 AND status IN ('resolved', 'snoozed') THEN 'open' ELSE status END,
         snoozed_until = CASE WHEN $4 THEN NULL ELSE snoozed_until END,
         updated_at = now()
       WHERE id = $1`,
      [threadId, m.orderedAt, m.preview.slice(0, 200), m.inbound],
    );
  }
}
