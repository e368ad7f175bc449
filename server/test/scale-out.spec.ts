import { randomUUID } from 'node:crypto';
import { startApp, type Running } from '../src/bootstrap';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * Two api nodes and one worker on one PostgreSQL and one Redis, as docker-compose runs them:
 * a socket on node A hears what arrived through node B and what the worker did.
 */
describe('Scale-out: api, api and worker processes (integration)', () => {
  let apiA: TestApp;
  let apiB: Running;
  let worker: Running;

  beforeAll(async () => {
    apiA = await startTestApp({ ROLE: 'api' });
    const config = apiA.running.config;
    apiB = await startApp({ ...config, role: 'api', port: 0 }, { seed: false });
    worker = await startApp({ ...config, role: 'worker' }, { seed: false });
    await apiA.post('/api/comms/channels', { provider: 'mock', name: 'Mock' });
  });

  afterAll(async () => {
    await worker?.close();
    await apiB?.close();
    await apiA?.close();
  });

  it('should push to a socket on node A a message whose webhook hit node B', async () => {
    const socket = await apiA.socket();
    const res = await fetch(`${apiB.url}/api/comms/webhooks/mock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'message', id: 'via-node-b', from: '+447700900123', name: 'Oliver', text: 'through B' }),
    });
    expect(res.status).toBe(200);
    const ev = await socket.waitFor('new_message', (d) => d.message.providerMessageId === 'via-node-b');
    expect(ev.message.body).toBe('through B');
  });

  it('should send through the worker and push every tick to node A', async () => {
    const socket = await apiA.socket();
    const threadId = (await apiA.get('/api/comms/threads')).body.items[0].id;
    const sent = await fetch(`${apiB.url}/api/comms/threads/${threadId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'from node B', clientMessageId: randomUUID() }),
    }).then((r) => r.json() as Promise<{ id: string }>);
    for (const status of ['sent', 'delivered', 'read']) {
      await socket.waitFor('status_update', (d) => d.messageId === sent.id && d.status === status);
    }
  });
});
