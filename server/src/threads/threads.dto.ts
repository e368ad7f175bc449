import type { ContactView, PatchThreadRequest, ProviderKind, ThreadListQuery, ThreadStatus, ThreadView } from '@switchboard/contracts';
import { BadRequestException } from '@nestjs/common';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { iso } from '../common/rows';
import { isUuid, optionalBoolean, optionalEnum, parseLimit, requireObject } from '../common/validate';
import type { Thread } from './thread.entity';

export const THREAD_STATUSES: readonly ThreadStatus[] = ['open', 'pending', 'resolved', 'snoozed'];

/** A thread row joined with its channel's provider and its contact (see thread-store.ts). */
export type ThreadRow = Thread & { channelProvider: ProviderKind; contactView: ContactView | null };

/** "+44 7700 900123" for a phone address, the raw address otherwise. */
export function formatAddress(address: string): string {
  if (!address.startsWith('+')) return address;
  return parsePhoneNumberFromString(address)?.formatInternational() ?? address;
}

export function toThreadView(t: ThreadRow): ThreadView {
  return {
    id: t.id,
    channelId: t.channelId,
    provider: t.channelProvider,
    address: t.address,
    displayName: t.contactView?.name || t.displayName || formatAddress(t.address),
    contact: t.contactView,
    status: t.status,
    starred: t.starred,
    unreadCount: t.unreadCount,
    lastMessageAt: iso(t.lastMessageAt),
    lastMessagePreview: t.lastMessagePreview,
    lastInboundAt: iso(t.lastInboundAt),
    assigneeId: t.assigneeId,
    createdAt: iso(t.createdAt)!,
    snoozedUntil: iso(t.snoozedUntil),
    snoozeUntilReply: false,
    match: null,
  };
}

function queryBool(v: unknown, field: string): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new BadRequestException(`${field} must be true or false`);
}

export class ThreadListQueryDto implements ThreadListQuery {
  q?: string;
  status?: ThreadStatus;
  starred?: boolean;
  unread?: boolean;
  channelId?: string;
  assigneeId?: string;
  cursor?: string;
  limit: number;

  static parse(query: Record<string, unknown>): ThreadListQueryDto {
    const channelId = query.channelId;
    if (channelId !== undefined && channelId !== '' && !isUuid(channelId)) throw new BadRequestException('channelId must be a UUID');
    const assigneeId = query.assigneeId;
    if (assigneeId !== undefined && assigneeId !== '' && assigneeId !== 'none' && !isUuid(assigneeId)) {
      throw new BadRequestException('assigneeId must be a UUID or "none"');
    }
    const q = typeof query.q === 'string' ? query.q.trim().slice(0, 200) : undefined;
    return Object.assign(new ThreadListQueryDto(), {
      q: q || undefined,
      status: optionalEnum(query.status === '' ? {} : query, 'status', THREAD_STATUSES),
      starred: queryBool(query.starred, 'starred'),
      unread: queryBool(query.unread, 'unread'),
      channelId: (channelId as string) || undefined,
      assigneeId: (assigneeId as string) || undefined,
      cursor: typeof query.cursor === 'string' && query.cursor !== '' ? query.cursor : undefined,
      limit: parseLimit(query.limit),
    });
  }
}

export class PatchThreadDto implements PatchThreadRequest {
  status?: ThreadStatus;
  starred?: boolean;
  read?: boolean;
  snoozedUntil?: string | null;

  static parse(body: unknown): PatchThreadDto {
    const o = requireObject(body);
    const known = ['status', 'starred', 'read', 'snoozedUntil'];
    const unknown = Object.keys(o).filter((k) => !known.includes(k));
    if (unknown.length) throw new BadRequestException(`unknown field ${unknown[0]}; allowed: ${known.join(', ')}`);
    let snoozedUntil: string | null | undefined;
    if (o.snoozedUntil === null) snoozedUntil = null;
    else if (o.snoozedUntil !== undefined) {
      const d = typeof o.snoozedUntil === 'string' ? new Date(o.snoozedUntil) : null;
      if (!d || Number.isNaN(d.getTime())) throw new BadRequestException('snoozedUntil must be an ISO date-time or null');
      snoozedUntil = d.toISOString();
    }
    const dto = Object.assign(new PatchThreadDto(), {
      status: optionalEnum(o, 'status', THREAD_STATUSES),
      starred: optionalBoolean(o, 'starred'),
      read: optionalBoolean(o, 'read'),
      snoozedUntil,
    });
    if (dto.snoozedUntil && dto.status && dto.status !== 'snoozed')
      throw new BadRequestException('snoozedUntil goes with status "snoozed"');
    return dto;
  }
}
