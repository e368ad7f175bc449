import { catalogEntry, serviceWindowOpen } from './provider-catalog';

describe('serviceWindowOpen', () => {
  const now = Date.parse('2026-11-22T12:00:00Z');
  const meta = catalogEntry('meta');

  it('should allow free text within 24 hours of the customer last message on Meta', () => {
    expect(serviceWindowOpen(meta, '2026-11-21T12:00:01Z', now)).toBe(true);
  });

  it('should close the window at 24 hours and when the customer never wrote', () => {
    expect(serviceWindowOpen(meta, '2026-11-21T12:00:00Z', now)).toBe(false);
    expect(serviceWindowOpen(meta, null, now)).toBe(false);
  });

  it('should never close for providers without a window', () => {
    expect(serviceWindowOpen(catalogEntry('evolution'), null, now)).toBe(true);
    expect(serviceWindowOpen(catalogEntry('waha'), '2020-01-01T00:00:00Z', now)).toBe(true);
  });
});
