import { randomUUID } from 'node:crypto';
import { postEvolution } from './support/channels';
import { useEvolutionApp } from './support/evolution-harness';
import { fixtureText } from './support/fixtures';
import { eventually, type TestApp } from './support/test-app';

/** Sends respect the per-channel rate limit (COMMS_SEND_RATE_PER_SECOND), however many are queued. */
describe('Per-channel send rate limit (integration)', () => {
  const harness = useEvolutionApp({ COMMS_SEND_RATE_PER_SECOND: '2' });
  let app: TestApp;

  beforeAll(() => {
    app = harness.app();
  });

  it('should never let more sends reach the provider in one second than the limit', async () => {
    await postEvolution(app, fixtureText('evolution/inbound_text.json'));
    const threadId = await eventually(async () => (await app.get('/api/comms/threads')).body.items[0]?.id as string | undefined, 'thread');
    for (let i = 0; i < 6; i++) {
      const res = await app.post(`/api/comms/threads/${threadId}/messages`, { body: `burst ${i}`, clientMessageId: randomUUID() });
      expect(res.status).toBe(202);
    }
    const sends = await eventually(
      async () => {
        const s = harness
          .fake()
          .sends()
          .filter((r) => String(r.body.text).startsWith('burst '));
        return s.length === 6 ? s : null;
      },
      'all six sends',
      15_000,
    );
    // In every window of one second starting at a send, at most two sends.
    for (const first of sends) {
      expect(sends.filter((s) => s.at >= first.at && s.at < first.at + 1000).length).toBeLessThanOrEqual(2);
    }
    // And in the order they were written.
    expect(sends.map((s) => s.body.text)).toEqual(['burst 0', 'burst 1', 'burst 2', 'burst 3', 'burst 4', 'burst 5']);
  });
});
