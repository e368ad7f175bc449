import type { Page } from 'playwright-core';
import type { TestApp } from '../server/test/support/test-app';
import { openInbox, SHOTS, type InboxBrowser } from './support/inbox-browser';

/**
 * Starting a conversation from the thread list, in Debian's headless chromium against the real
 * server (the demo tenant's default country is BR).
 */
describe('Starting a conversation (e2e)', () => {
  let inbox: InboxBrowser;
  let app: TestApp;
  let page: Page;

  const threadRows = () => page.locator('[data-testid="thread-item"]');
  /** Wait until the list shows `n` rows (a string predicate: this project is typed without the DOM lib). */
  const listHasRows = (n: number) =>
    page.waitForFunction(`document.querySelectorAll('[data-testid="thread-item"]').length === ${n}`, undefined, { timeout: 15_000 });
  const threadCount = async (): Promise<number> => (await app.get('/api/comms/threads?limit=100')).body.items.length;

  beforeAll(async () => {
    inbox = await openInbox();
    ({ app, page } = inbox);
    await page.goto(app.url);
    await listHasRows(3);
  });

  afterAll(() => inbox?.close());

  // A number nobody has written to yet (the demo's +44 7700 900123 is Oliver Bennett's thread).
  it('should start a new thread with a number typed in the search, and tick it up to read', async () => {
    await page.fill('[data-testid="thread-search"]', '+44 7700 900987');
    const row = page.locator('[data-testid="start-conversation"]');
    await expect(row.innerText()).resolves.toContain('+44 7700 900987');
    await page.screenshot({ path: `${SHOTS}/start-1-search-row.png` });

    await row.click();
    await expect(page.inputValue('[data-testid="new-conversation-number"]')).resolves.toBe('+44 7700 900987');
    await page.fill('[data-testid="new-conversation-body"]', 'Hello from the shop');
    await page.screenshot({ path: `${SHOTS}/start-2-flow.png` });
    await page.click('[data-testid="new-conversation-send"]');

    await page.locator('[data-testid="chat-title"]', { hasText: '+44 7700 900987' }).waitFor({ timeout: 10_000 });
    const bubble = page.locator('[data-testid="message"][data-direction="outbound"]', { hasText: 'Hello from the shop' });
    await bubble.waitFor({ timeout: 10_000 });
    await expect(page.inputValue('[data-testid="thread-search"]')).resolves.toBe('');
    await page.locator('[data-testid="message"][data-status="read"]', { hasText: 'Hello from the shop' }).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: `${SHOTS}/start-3-read.png` });

    // The POST answer and the new_message event converged: one thread, one bubble.
    await expect(bubble.count()).resolves.toBe(1);
    await expect(threadRows().count()).resolves.toBe(4);
    const selected = page.locator('[data-testid="thread-item"][aria-current="true"]');
    await expect(selected.innerText()).resolves.toContain('+44 7700 900987');
    expect(await threadCount()).toBe(4);
  });

  it('should continue the existing thread when the number already has one', async () => {
    const [ana] = (await app.get('/api/comms/threads?q=Ana')).body.items;
    expect(ana.address).toBe('+5511987650001');

    await page.fill('[data-testid="thread-search"]', '(11) 98765-0001');
    await page.click('[data-testid="start-conversation"]');
    await page.fill('[data-testid="new-conversation-body"]', 'Ana, seu pedido saiu para entrega.');
    await page.keyboard.press('Enter');

    await page.locator('[data-testid="chat-title"]', { hasText: 'Ana Souza' }).waitFor({ timeout: 10_000 });
    const last = page.locator('[data-testid="message"]').last();
    await expect(last.innerText()).resolves.toContain('Ana, seu pedido saiu para entrega.');
    expect(new URL(page.url()).hash).toBe(`#/t/${ana.id}`);
    await listHasRows(4);
    await expect(threadRows().filter({ hasText: 'Ana Souza' }).count()).resolves.toBe(1);
    await expect(page.locator('[data-testid="message"]', { hasText: 'Ana, seu pedido saiu para entrega.' }).count()).resolves.toBe(1);
    await page.screenshot({ path: `${SHOTS}/start-4-existing-thread.png` });
    expect(await threadCount()).toBe(4);
  });

  it("should show the server's message for an invalid number and create nothing", async () => {
    await page.click('[data-testid="new-chat"]');
    await expect(page.inputValue('[data-testid="new-conversation-number"]')).resolves.toBe('');
    await page.fill('[data-testid="new-conversation-number"]', '12');
    await page.fill('[data-testid="new-conversation-body"]', 'Hi there');
    await page.click('[data-testid="new-conversation-send"]');

    const error = page.locator('[data-testid="new-conversation-error"]');
    await error.waitFor({ timeout: 10_000 });
    await expect(error.innerText()).resolves.toBe('"12" is not a valid phone number (default country BR)');
    // What was typed stays, to be corrected.
    await expect(page.inputValue('[data-testid="new-conversation-number"]')).resolves.toBe('12');
    await expect(page.inputValue('[data-testid="new-conversation-body"]')).resolves.toBe('Hi there');
    await page.screenshot({ path: `${SHOTS}/start-5-invalid-number.png` });
    expect(await threadCount()).toBe(4);
    await expect(threadRows().count()).resolves.toBe(4);

    // Escape cancels, back to the conversation that was open.
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="new-conversation"]').waitFor({ state: 'detached' });
    await page.locator('[data-testid="chat-title"]', { hasText: 'Ana Souza' }).waitFor();
  });

  it('should toast a lost answer and, on retry, not send the message twice', async () => {
    // The POST reaches the server but its answer is lost on the way back.
    await page.route('**/api/comms/threads', async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      await route.fetch();
      await route.abort('connectionreset');
    });
    await page.click('[data-testid="new-chat"]');
    await page.fill('[data-testid="new-conversation-number"]', '+1 415 555 0100');
    await page.fill('[data-testid="new-conversation-body"]', 'Your order is ready');
    await page.click('[data-testid="new-conversation-send"]');
    await page.locator('[data-testid="toast"]', { hasText: "Couldn't start the conversation" }).waitFor({ timeout: 10_000 });
    await expect(page.locator('[data-testid="new-conversation-send"]').isEnabled()).resolves.toBe(true);
    await page.unroute('**/api/comms/threads');

    // Same form, same clientMessageId: the server answers with the message it already has.
    await page.click('[data-testid="new-conversation-send"]');
    await page.locator('[data-testid="chat-title"]', { hasText: '+1 415 555 0100' }).waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="message"]', { hasText: 'Your order is ready' }).waitFor();
    await expect(page.locator('[data-testid="message"]').count()).resolves.toBe(1);
    const [thread] = (await app.get('/api/comms/threads?q=4155550100')).body.items;
    const messages = (await app.get(`/api/comms/threads/${thread.id}/messages`)).body.items;
    expect(messages.map((m: { body: string }) => m.body)).toEqual(['Your order is ready']);
  });
});
