import { Injectable } from '@nestjs/common';
import { canTransition, type MessageErrorView, type MessageStatus } from '@switchboard/contracts';
import type { EntityManager } from 'typeorm';
import { camelize } from '../common/rows';
import type { Message } from './message.entity';

export type NewMessage = Pick<
  Message,
  | 'tenantId'
  | 'threadId'
  | 'channelId'
  | 'direction'
  | 'origin'
  | 'kind'
  | 'body'
  | 'status'
  | 'providerMessageId'
  | 'clientMessageId'
  | 'sentAt'
  | 'orderedAt'
  | 'media'
  | 'location'
  | 'replyToId'
  | 'replyToProviderId'
> &
  Partial<Pick<Message, 'template'>>;

const COLUMNS = [
  'tenant_id',
  'thread_id',
  'channel_id',
  'direction',
  'origin',
  'kind',
  'body',
  'status',
  'provider_message_id',
  'client_message_id',
  'sent_at',
  'ordered_at',
  'media',
  'location',
  'reply_to_id',
  'reply_to_provider_id',
  'template',
];

/** Message persistence shared by ingest and sending. Every write here is idempotent. */
@Injectable()
export class MessageStore {
  /**
   * Inserts unless a message with the same provider id (per channel) or client id (per tenant)
   * exists: returns null for the duplicate, never a second row.
   */
  async insert(manager: EntityManager, m: NewMessage): Promise<Message | null> {
    const values = [
      m.tenantId,
      m.threadId,
      m.channelId,
      m.direction,
      m.origin,
      m.kind,
      m.body,
      m.status,
      m.providerMessageId,
      m.clientMessageId,
      m.sentAt,
      m.orderedAt,
      m.media ? JSON.stringify(m.media) : null,
      m.location ? JSON.stringify(m.location) : null,
      m.replyToId,
      m.replyToProviderId,
      m.template ? JSON.stringify(m.template) : null,
    ];
    const rows: Record<string, unknown>[] = await manager.query(
      `INSERT INTO messages (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT DO NOTHING RETURNING *`,
      values,
    );
    return rows[0] ? camelize<Message>(rows[0]) : null;
  }

  async byId(manager: EntityManager, id: string, lock = false): Promise<Message | null> {
    const rows: Record<string, unknown>[] = await manager.query(`SELECT * FROM messages WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? camelize<Message>(rows[0]) : null;
  }

  async byProviderId(manager: EntityManager, channelId: string, providerMessageId: string, lock = false): Promise<Message | null> {
    const rows: Record<string, unknown>[] = await manager.query(
      `SELECT * FROM messages WHERE channel_id = $1 AND provider_message_id = $2${lock ? ' FOR UPDATE' : ''}`,
      [channelId, providerMessageId],
    );
    return rows[0] ? camelize<Message>(rows[0]) : null;
  }

  async byClientId(manager: EntityManager, tenantId: string, clientMessageId: string): Promise<Message | null> {
    const rows: Record<string, unknown>[] = await manager.query(`SELECT * FROM messages WHERE tenant_id = $1 AND client_message_id = $2`, [
      tenantId,
      clientMessageId,
    ]);
    return rows[0] ? camelize<Message>(rows[0]) : null;
  }

  /**
   * Moves a (row-locked) message to `next` if the lattice allows it; returns whether it moved.
   * A move to failed records the error; any later success clears it.
   */
  async applyStatus(manager: EntityManager, m: Message, next: MessageStatus, error: MessageErrorView | null): Promise<boolean> {
    if (!canTransition(m.status, next)) return false;
    const err = next === 'failed' ? error : null;
    await manager.query(`UPDATE messages SET status = $2, error = $3, updated_at = now() WHERE id = $1`, [
      m.id,
      next,
      err ? JSON.stringify(err) : null,
    ]);
    m.status = next;
    m.error = err;
    return true;
  }
}
