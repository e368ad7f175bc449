import type { MessageStatus } from './enums';
import { canTransition } from './status-lattice';

const ALL: MessageStatus[] = ['pending', 'sent', 'delivered', 'read', 'played', 'failed'];
const LATTICE: MessageStatus[] = ['pending', 'sent', 'delivered', 'read', 'played'];

/**
 * The whole table, written out (row = stored status, column = incoming status) so a change to
 * the rules shows up as a diff here rather than in a re-derived expectation.
 */
const TABLE: Record<MessageStatus, Record<MessageStatus, boolean>> = {
  pending: { pending: false, sent: true, delivered: true, read: true, played: true, failed: true },
  sent: { pending: false, sent: false, delivered: true, read: true, played: true, failed: true },
  delivered: { pending: false, sent: false, delivered: false, read: true, played: true, failed: false },
  read: { pending: false, sent: false, delivered: false, read: false, played: true, failed: false },
  played: { pending: false, sent: false, delivered: false, read: false, played: false, failed: false },
  failed: { pending: false, sent: false, delivered: true, read: true, played: true, failed: false },
};

const pairs = ALL.flatMap((current) => ALL.map((next) => [current, next] as const));

describe('status-lattice', () => {
  describe(canTransition.name, () => {
    const sut = canTransition;

    it.each(pairs.map(([current, next]) => [current, next, TABLE[current][next]] as const))(
      'should move %s -> %s: %s',
      (current, next, expected) => {
        expect(sut(current, next)).toBe(expected);
      },
    );

    it.each(LATTICE.flatMap((current, i) => LATTICE.slice(0, i).map((lower) => [current, lower] as const)))(
      'should never downgrade %s to %s',
      (current, lower) => {
        expect(sut(current, lower)).toBe(false);
      },
    );

    it.each(['pending', 'sent'] as const)('should let failed replace %s', (current) => {
      expect(sut(current, 'failed')).toBe(true);
    });

    it.each(['delivered', 'read', 'played'] as const)('should not let failed replace %s', (current) => {
      expect(sut(current, 'failed')).toBe(false);
    });

    it.each(['delivered', 'read', 'played'] as const)('should let %s upgrade a failed message (multi-device)', (next) => {
      expect(sut('failed', next)).toBe(true);
    });

    it.each(['pending', 'sent'] as const)('should not let %s revive a failed message', (next) => {
      expect(sut('failed', next)).toBe(false);
    });

    it.each(ALL)('should refuse a repeated %s (duplicate delivery)', (status) => {
      expect(sut(status, status)).toBe(false);
    });
  });
});
