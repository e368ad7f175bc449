import type { MessageStatus } from './enums';

/** Rank of each status in the lattice; `failed` sits outside it. */
const RANK: Record<Exclude<MessageStatus, 'failed'>, number> = {
  pending: 0,
  sent: 1,
  delivered: 2,
  read: 3,
  played: 4,
};

/**
 * Whether a stored status may move to `next`. Receipts arrive duplicated and out of order on
 * every provider, so a status only ever moves up: pending < sent < delivered < read < played.
 * `failed` may replace pending/sent only; a later delivered/read/played still upgrades a failed
 * message (multi-device: the phone delivered it after all).
 */
export function canTransition(current: MessageStatus, next: MessageStatus): boolean {
  if (current === next) return false;
  if (next === 'failed') return current === 'pending' || current === 'sent';
  if (current === 'failed') return RANK[next] >= RANK.delivered;
  return RANK[next] > RANK[current];
}
