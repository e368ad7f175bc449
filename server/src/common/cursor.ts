import { BadRequestException } from '@nestjs/common';

/**
 * Keyset cursors: the sort key and id of the last row served, opaque to clients. Keyset paging
 * stays as fast on page 1,000 as on page 1, which OFFSET does not.
 */
export interface Cursor {
  at: string | null;
  id: string;
}

export function encodeCursor(at: Date | null, id: string): string {
  return Buffer.from(JSON.stringify({ at: at ? at.toISOString() : null, id })).toString('base64url');
}

export function decodeCursor(raw: unknown): Cursor | null {
  if (raw === undefined || raw === '') return null;
  try {
    const c = JSON.parse(Buffer.from(String(raw), 'base64url').toString('utf8')) as Cursor;
    if (typeof c.id === 'string' && (c.at === null || typeof c.at === 'string')) return c;
  } catch {
    // fall through
  }
  throw new BadRequestException('cursor is not valid; pass back the nextCursor of a previous page');
}
