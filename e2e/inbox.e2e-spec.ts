import type { Page } from 'playwright-core';
import type { TestApp } from '../server/test/support/test-app';
import { openInbox, SHOTS, type InboxBrowser } from './support/inbox-browser';

/** The built inbox in Debian's headless chromium against the real server (real PostgreSQL, Redis and Socket.IO). */
describe('Inbox in the browser (e2e)', () => {
  let inbox: InboxBrowser;
  let app: TestApp;
  let page: Page;

  beforeAll(async () => {
    inbox = await openInbox();
    ({ app, page } = inbox);
  });

  afterAll(() => inbox?.close());

  it('should show the demo conversations', async () => {
    await page.goto(app.url);
    await page.waitForFunction(`document.querySelectorAll('[data-testid="thread-item"]').length === 3`, undefined, { timeout: 15_000 });
    const names = await page.locator('[data-testid="thread-item"]').allInnerTexts();
    expect(names.join('\n')).toContain('Priya Sharma');
    expect(names.join('\n')).toContain('Ana Souza');
    expect(names.join('\n')).toContain('Oliver Bennett');
    await page.screenshot({ path: `${SHOTS}/1-demo-inbox.png` });
  });

  it('should show a new conversation from a webhook at the top without a reload', async () => {
    const res = await app.post('/api/comms/webhooks/mock', {
      event: 'message',
      id: 'e2e-emily-1',
      from: '+12025550143',
      name: 'Emily Carter',
      text: 'Hello! Do you ship to Washington DC?',
    });
    expect(res.status).toBe(200);
    const first = page.locator('[data-testid="thread-item"]').first();
    await first.getByText('Emily Carter').waitFor({ timeout: 10_000 });
    await expect(first.innerText()).resolves.toContain('Do you ship to Washington DC?');
    await page.screenshot({ path: `${SHOTS}/2-new-thread-live.png` });
  });

  it('should show a reply at once, then ✓ and ✓✓ as the mock delivers and reads it', async () => {
    await page.locator('[data-testid="thread-item"]').first().click();
    await page.locator('[data-testid="message"]').first().waitFor();
    await page.fill('[data-testid="composer"]', 'Yes, we deliver to DC in 2 days.');
    await page.keyboard.press('Enter');
    const reply = page.locator('[data-testid="message"][data-direction="outbound"]').last();
    await expect(reply.innerText()).resolves.toContain('Yes, we deliver to DC in 2 days.');
    await page.locator('[data-testid="message"][data-direction="outbound"][data-status="sent"]').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: `${SHOTS}/3-reply-sent.png` });
    await page.locator('[data-testid="message"][data-direction="outbound"][data-status="delivered"]').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="message"][data-direction="outbound"][data-status="read"]').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: `${SHOTS}/4-reply-read.png` });
    // One bubble: the optimistic one was replaced by the server's, never doubled.
    await expect(page.locator('[data-testid="message"]', { hasText: 'Yes, we deliver to DC in 2 days.' }).count()).resolves.toBe(1);
  });

  it('should show a new message in the open conversation without a reload', async () => {
    await app.post('/api/comms/webhooks/mock', {
      event: 'message',
      id: 'e2e-emily-2',
      from: '+12025550143',
      name: 'Emily Carter',
      text: 'Great, thank you!',
    });
    await page.locator('[data-testid="message"][data-direction="inbound"]', { hasText: 'Great, thank you!' }).waitFor({ timeout: 10_000 });
  });

  it('should say when the live connection is lost, then catch up on what it missed', async () => {
    await page.context().setOffline(true);
    await page.locator('[data-testid="connection-banner"][data-state="lost"]').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: `${SHOTS}/5-connection-lost.png` });
    // Arrives while this agent is offline: it must be in the sync when the socket returns.
    await app.post('/api/comms/webhooks/mock', {
      event: 'message',
      id: 'e2e-emily-3',
      from: '+12025550143',
      name: 'Emily Carter',
      text: 'Are you still there?',
    });
    await page.context().setOffline(false);
    await page.locator('[data-testid="connection-banner"][data-state="back"]').waitFor({ timeout: 20_000 });
    await page
      .locator('[data-testid="message"][data-direction="inbound"]', { hasText: 'Are you still there?' })
      .waitFor({ timeout: 10_000 });
    await page.screenshot({ path: `${SHOTS}/6-caught-up.png` });
    await expect(page.locator('[data-testid="message"]', { hasText: 'Are you still there?' }).count()).resolves.toBe(1);
  });
});
