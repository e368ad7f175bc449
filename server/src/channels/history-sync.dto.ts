import { BadRequestException } from '@nestjs/common';
import type { HistorySyncEvent } from '@switchboard/contracts';
import { iso } from '../common/rows';
import { requireObject } from '../common/validate';

/** A history import as GET /channels/:id/sync answers it: the socket event without its seq. */
export type HistorySyncView = Omit<HistorySyncEvent, 'seq'>;

export const DEFAULT_SYNC_DAYS = 7;
export const MAX_SYNC_DAYS = 90;

/** A row of history_syncs, camelized. */
export interface HistorySyncRow {
  id: string;
  tenantId: string;
  channelId: string;
  state: HistorySyncEvent['state'];
  since: Date;
  until: Date;
  total: number | null;
  imported: number;
  skipped: number;
  error: string | null;
  startedAt: Date;
  requestedAt: Date | null;
  lastActivityAt: Date;
  progressAt: Date;
  progressCount: number;
  finishedAt: Date | null;
}

/** `POST /api/comms/channels/:id/sync` body: `{days?}`, how far back to import (default 7). */
export class StartHistorySyncDto {
  days: number;

  static parse(body: unknown): StartHistorySyncDto {
    const o = body === undefined || body === null ? {} : requireObject(body);
    const days = o.days ?? DEFAULT_SYNC_DAYS;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_SYNC_DAYS) {
      throw new BadRequestException(`days must be an integer from 1 to ${MAX_SYNC_DAYS}, got ${JSON.stringify(days)}`);
    }
    return Object.assign(new StartHistorySyncDto(), { days });
  }
}

export function toHistorySyncView(row: HistorySyncRow): HistorySyncView {
  return {
    kind: 'history',
    channelId: row.channelId,
    state: row.state,
    total: row.total,
    imported: row.imported,
    skipped: row.skipped,
    error: row.error,
    startedAt: iso(row.startedAt)!,
  };
}
