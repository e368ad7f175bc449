import { catalogEntry, channelPacing } from '@switchboard/contracts';
import { gapAfterSend } from './send-rate-limiter';

describe('send pacing', () => {
  it('should default each provider to its own pace', () => {
    expect(channelPacing(catalogEntry('meta'), {})).toEqual({ perSecond: 80, minGapMs: 0, jitterMs: 0 });
    expect(channelPacing(catalogEntry('twilio'), {})).toEqual({ perSecond: 1, minGapMs: 0, jitterMs: 0 });
    expect(channelPacing(catalogEntry('evolution'), {})).toEqual({ perSecond: 1, minGapMs: 1000, jitterMs: 1500 });
    expect(channelPacing(catalogEntry('waha'), {})).toEqual({ perSecond: 1, minGapMs: 1000, jitterMs: 1500 });
  });

  it('should let a channel override its provider default, ignoring values that are not numbers', () => {
    expect(channelPacing(catalogEntry('twilio'), { sendRatePerSecond: '30' })).toEqual({ perSecond: 30, minGapMs: 0, jitterMs: 0 });
    expect(channelPacing(catalogEntry('waha'), { sendMinGapMs: '0', sendJitterMs: '250' })).toEqual({
      perSecond: 1,
      minGapMs: 0,
      jitterMs: 250,
    });
    expect(channelPacing(catalogEntry('meta'), { sendRatePerSecond: 'fast', sendMinGapMs: '-5' })).toEqual({
      perSecond: 80,
      minGapMs: 0,
      jitterMs: 0,
    });
  });

  it('should add jitter between the minimum and minimum + jitter', () => {
    const p = { perSecond: 1, minGapMs: 1000, jitterMs: 1500 };
    expect(gapAfterSend(p, 0)).toBe(1000);
    expect(gapAfterSend(p, 0.5)).toBe(1750);
    expect(gapAfterSend(p, 0.999)).toBe(2498);
  });

  it('should turn a rate below one per second into a gap', () => {
    expect(gapAfterSend({ perSecond: 0.5, minGapMs: 0, jitterMs: 0 }, 0)).toBe(2000);
    expect(gapAfterSend({ perSecond: 0.5, minGapMs: 3000, jitterMs: 0 }, 0)).toBe(3000);
    expect(gapAfterSend({ perSecond: 80, minGapMs: 0, jitterMs: 0 }, 0.7)).toBe(0);
  });
});
