import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Page, ThreadView } from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { normalizeTypedPhone } from '../contacts/identity';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { RealtimeService } from '../realtime/realtime.service';
import { Tenant } from '../tenants/tenant.entity';
import { rowsToViews, THREAD_VIEW_SELECT, ThreadStore } from './thread-store';
import type { PatchThreadDto, ThreadListQueryDto } from './threads.dto';

function likePattern(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

@Injectable()
export class ThreadsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly store: ThreadStore,
    private readonly realtime: RealtimeService,
  ) {}

  /** The inbox list: newest activity first, keyset-paged, with search across name, phone and text. */
  async list(tenant: Tenant, q: ThreadListQueryDto): Promise<Page<ThreadView>> {
    const where: string[] = ['t.tenant_id = $1'];
    const params: unknown[] = [tenant.id];
    const add = (sql: string, ...values: unknown[]): void => {
      let out = sql;
      for (const v of values) {
        params.push(v);
        out = out.replace('?', `$${params.length}`);
      }
      where.push(out);
    };
    if (q.status) add('t.status = ?', q.status);
    if (q.starred !== undefined) add('t.starred = ?', q.starred);
    if (q.unread === true) where.push('t.unread_count > 0');
    if (q.unread === false) where.push('t.unread_count = 0');
    if (q.channelId) add('t.channel_id = ?', q.channelId);
    if (q.assigneeId === 'none') where.push('t.assignee_id IS NULL');
    else if (q.assigneeId) add('t.assignee_id = ?', q.assigneeId);
    if (q.q) {
      const pattern = likePattern(q.q);
      const alternatives = [
        't.display_name ILIKE ?',
        'ct.name ILIKE ?',
        'EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = t.id AND m.body ILIKE ?)',
      ];
      const values: unknown[] = [pattern, pattern, pattern];
      // A phone typed in any format: match its digits, and its normalised E.164 form.
      const digits = q.q.replace(/\D/g, '');
      if (digits.length >= 3) {
        alternatives.push('t.address LIKE ?');
        values.push(`%${digits}%`);
        const e164 = normalizeTypedPhone(q.q, tenant.defaultCountry);
        if (e164) {
          alternatives.push('t.address = ?');
          values.push(e164);
        }
      }
      add(`(${alternatives.join(' OR ')})`, ...values);
    }
    const cursor = decodeCursor(q.cursor);
    if (cursor?.at) add('(t.last_message_at, t.id) < (?::timestamptz, ?::uuid)', cursor.at, cursor.id);
    const rows: Record<string, unknown>[] = await this.db.query(
      `${THREAD_VIEW_SELECT} WHERE ${where.join(' AND ')} ORDER BY t.last_message_at DESC, t.id DESC LIMIT ${q.limit + 1}`,
      params,
    );
    const items = rowsToViews(rows.slice(0, q.limit));
    const last = items[items.length - 1];
    const nextCursor = rows.length > q.limit && last ? encodeCursor(new Date(last.lastMessageAt!), last.id) : null;
    return { items, nextCursor };
  }

  async get(tenantId: string, id: string): Promise<ThreadView> {
    const view = await this.store.view(this.db.manager, id);
    if (!view || !(await this.store.find(this.db.manager, tenantId, id))) throw new NotFoundException(`thread ${id} not found`);
    return view;
  }

  async patch(tenantId: string, id: string, dto: PatchThreadDto): Promise<ThreadView> {
    return this.db.transaction(async (m) => {
      const thread = await this.store.find(m, tenantId, id);
      if (!thread) throw new NotFoundException(`thread ${id} not found`);
      const sets: string[] = [];
      const params: unknown[] = [id];
      const set = (col: string, v: unknown): void => {
        params.push(v);
        sets.push(`${col} = $${params.length}`);
      };
      if (dto.status) set('status', dto.status);
      if (dto.status && dto.status !== 'snoozed') set('snoozed_until', null);
      if (dto.snoozedUntil !== undefined) set('snoozed_until', dto.snoozedUntil);
      if (dto.starred !== undefined) set('starred', dto.starred);
      // "Mark unread" shows at least one unread; "read" clears the badge.
      if (dto.read === true) sets.push('unread_count = 0');
      if (dto.read === false) sets.push('unread_count = GREATEST(unread_count, 1)');
      if (sets.length) await m.query(`UPDATE threads SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, params);
      const view = (await this.store.view(m, id))!;
      if (sets.length) await this.realtime.append(m, tenantId, id, { type: 'thread_updated', data: { thread: view } });
      return view;
    });
  }
}
