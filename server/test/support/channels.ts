import type { ChannelView } from '@switchboard/contracts';
import type { FakeEvolution } from './fake-evolution';
import type { TestApp } from './test-app';

export const WEBHOOK_TOKEN = 'evo-webhook-token-for-tests';

/** Creates the fixtures' Evolution channel (instance acme-br) pointing at the fake server. */
export async function createEvolutionChannel(app: TestApp, fake: FakeEvolution, withToken = true): Promise<ChannelView> {
  const res = await app.post('/api/comms/channels', {
    provider: 'evolution',
    name: 'Acme Brasil',
    config: { baseUrl: fake.url, instance: 'acme-br' },
    secrets: { apiKey: 'evo-api-key', ...(withToken ? { webhookToken: WEBHOOK_TOKEN } : {}) },
  });
  if (res.status !== 201) throw new Error(`channel not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as ChannelView;
}

export function postEvolution(app: TestApp, body: string | object, token: string | null = WEBHOOK_TOKEN) {
  return app.postRaw(
    '/api/comms/webhooks/evolution',
    typeof body === 'string' ? body : JSON.stringify(body),
    token ? { 'x-inbox-token': token } : {},
  );
}
