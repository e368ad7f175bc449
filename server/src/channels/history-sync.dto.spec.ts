import { BadRequestException } from '@nestjs/common';
import { StartHistorySyncDto, toHistorySyncView, type HistorySyncRow } from './history-sync.dto';

function refusal(body: unknown): string {
  try {
    StartHistorySyncDto.parse(body);
  } catch (err) {
    if (err instanceof BadRequestException) return err.message;
    throw err;
  }
  throw new Error('expected a 400');
}

describe(StartHistorySyncDto.name, () => {
  describe('parse', () => {
    it.each([
      [undefined, 7],
      [{}, 7],
      [{ days: 1 }, 1],
      [{ days: 90 }, 90],
    ])('should read %j as %i days', (body, days) => {
      expect(StartHistorySyncDto.parse(body).days).toBe(days);
    });

    it.each([
      [{ days: 0 }, 'days must be an integer from 1 to 90, got 0'],
      [{ days: 91 }, 'days must be an integer from 1 to 90, got 91'],
      [{ days: 1.5 }, 'days must be an integer from 1 to 90, got 1.5'],
      [{ days: '7' }, 'days must be an integer from 1 to 90, got "7"'],
      [[7], 'request body must be a JSON object'],
    ])('should refuse %j', (body, message) => {
      expect(refusal(body)).toBe(message);
    });
  });
});

describe(toHistorySyncView.name, () => {
  it('should expose the import without its bookkeeping', () => {
    const row: HistorySyncRow = {
      id: 'a1',
      tenantId: 't1',
      channelId: 'c1',
      state: 'running',
      since: new Date('2026-02-10T00:00:00Z'),
      until: new Date('2026-02-17T00:00:00Z'),
      total: null,
      imported: 4,
      skipped: 1,
      error: null,
      startedAt: new Date('2026-02-17T00:00:00.123Z'),
      requestedAt: null,
      lastActivityAt: new Date(),
      progressAt: new Date(),
      progressCount: 5,
      finishedAt: null,
    };
    expect(toHistorySyncView(row)).toEqual({
      kind: 'history',
      channelId: 'c1',
      state: 'running',
      total: null,
      imported: 4,
      skipped: 1,
      error: null,
      startedAt: '2026-02-17T00:00:00.123Z',
    });
  });
});
