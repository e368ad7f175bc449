import { createHmac, randomUUID } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { FakeHttp } from '../server/test/support/fake-http';
import { fixture } from '../server/test/support/fixtures';
import type { TestApp } from '../server/test/support/test-app';
import { openInbox, SHOTS, type InboxBrowser } from './support/inbox-browser';

/** A real PNG (solid colour) so the browser decodes the thumbnail and the bubble's image. */
function png(width: number, height: number, [r, g, b]: [number, number, number]): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => [r, g, b]).flat())]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Whether the image matched by `selector` has been decoded (a string: e2e is typed without the DOM lib). */
const imageLoaded = (page: Page, selector: string) =>
  page.waitForFunction(
    `(() => { const img = document.querySelector(${JSON.stringify(selector)}); return !!img && img.complete && img.naturalWidth > 0; })()`,
    undefined,
    { timeout: 10_000 },
  );

/** Wait until exactly `n` elements match (the zoneless app renders after the event that changed it). */
const countIs = (page: Page, selector: string, n: number) =>
  page.waitForFunction(`document.querySelectorAll(${JSON.stringify(selector)}).length === ${n}`, undefined, { timeout: 10_000 });

/**
 * Attachments and WhatsApp templates from the composer, in Debian's headless chromium against the
 * real server: the mock channel for files, a Meta channel on a local Graph API for templates.
 */
describe('Composer attachments and templates (e2e)', () => {
  describe('attachments on the mock channel', () => {
    let inbox: InboxBrowser;
    let app: TestApp;
    let page: Page;
    let threadId: string;

    const outboundImages = () => page.locator('[data-testid="message"][data-direction="outbound"][data-kind="image"]');

    beforeAll(async () => {
      inbox = await openInbox();
      ({ app, page } = inbox);
      // Fail on the step that went wrong, well before Jest's own timeout.
      page.setDefaultTimeout(10_000);
      [{ id: threadId }] = (await app.get('/api/comms/threads?q=Priya')).body.items;
      await page.goto(app.url);
      await page.locator('[data-testid="thread-item"]', { hasText: 'Priya Sharma' }).click();
      await page.locator('[data-testid="message"]').first().waitFor({ timeout: 10_000 });
    });

    afterAll(() => inbox?.close());

    it('should preview a chosen image, send it with its caption, tick it up to read, and keep it after a reload', async () => {
      await page.setInputFiles('[data-testid="attach-input"]', {
        name: 'receipt.png',
        mimeType: 'image/png',
        buffer: png(320, 240, [0, 168, 132]),
      });
      const item = page.locator('[data-testid="tray-item"]');
      await item.waitFor();
      await imageLoaded(page, '[data-testid="tray-thumb"]');
      await expect(item.innerText()).resolves.toContain('receipt.png');
      await page.fill('[data-testid="composer"]', 'Here is your receipt');
      await page.screenshot({ path: `${SHOTS}/composer-1-tray.png` });

      await page.keyboard.press('Enter');
      const bubble = outboundImages();
      await bubble.waitFor({ timeout: 5_000 });
      await expect(bubble.innerText()).resolves.toContain('Here is your receipt');
      await item.waitFor({ state: 'detached' });
      await page.locator('[data-testid="message"][data-kind="image"][data-status="sent"]').waitFor({ timeout: 10_000 });
      await page.locator('[data-testid="message"][data-kind="image"][data-status="delivered"]').waitFor({ timeout: 10_000 });
      await page.locator('[data-testid="message"][data-kind="image"][data-status="read"]').waitFor({ timeout: 10_000 });
      // The server's copy replaced the optimistic bubble: its image now comes from the app.
      await imageLoaded(page, '[data-testid="message"][data-kind="image"] img[src^="/api/"]');
      await page.screenshot({ path: `${SHOTS}/composer-2-image-read.png` });
      await expect(outboundImages().count()).resolves.toBe(1);

      await page.reload();
      await outboundImages().waitFor({ timeout: 10_000 });
      await imageLoaded(page, '[data-testid="message"][data-kind="image"] img');
      await expect(outboundImages().count()).resolves.toBe(1);
      await expect(outboundImages().innerText()).resolves.toContain('Here is your receipt');

      const stored = (await app.get(`/api/comms/threads/${threadId}/messages`)).body.items.filter(
        (m: any) => m.direction === 'outbound' && m.kind === 'image',
      );
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({
        body: 'Here is your receipt',
        status: 'read',
        media: { mimeType: 'image/png', fileName: 'receipt.png' },
      });
    });

    it('should take dropped and pasted files, guard the size, and show what the server refuses on the tray item', async () => {
      // Synthetic drag events carrying real File objects (what a drop from the desktop delivers).
      await page.evaluate(`(() => {
        const dt = new DataTransfer();
        dt.items.add(new File(['%PDF-1.4 price list'], 'price-list.pdf', { type: 'application/pdf' }));
        dt.items.add(new File(['MZ not really'], 'setup.exe', { type: 'application/x-msdownload' }));
        dt.items.add(new File([new Uint8Array(17 * 1024 * 1024)], 'huge-video.mp4', { type: 'video/mp4' }));
        const pane = document.querySelector('sb-chat-pane');
        pane.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
        pane.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
        window.__drop = dt;
      })()`);
      await page.locator('[data-testid="drop-overlay"]').waitFor();
      await page.screenshot({ path: `${SHOTS}/composer-3-drop-overlay.png` });
      await page.evaluate(
        `document.querySelector('sb-chat-pane').dispatchEvent(new DragEvent('drop', { dataTransfer: window.__drop, bubbles: true, cancelable: true }))`,
      );
      await page.locator('[data-testid="drop-overlay"]').waitFor({ state: 'detached' });

      const pngBase64 = png(40, 30, [217, 45, 74]).toString('base64');
      await page.evaluate(`(() => {
        const bytes = Uint8Array.from(atob('${pngBase64}'), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
        document.querySelector('[data-testid="composer"]').dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
      })()`);

      const items = page.locator('[data-testid="tray-item"]');
      await countIs(page, '[data-testid="tray-item"]', 4);
      // Over 16 MB: refused before any upload, with the limit, and nothing to retry.
      const huge = items.filter({ hasText: 'huge-video.mp4' });
      await expect(huge.getAttribute('data-state')).resolves.toBe('failed');
      await expect(huge.innerText()).resolves.toContain('the limit is 16 MB');
      await expect(huge.locator('[data-testid="tray-retry"]').count()).resolves.toBe(0);
      await expect(items.filter({ hasText: 'price-list.pdf' }).innerText()).resolves.toMatch(/\d+ B/);
      await expect(
        items
          .filter({ hasText: /^pasted-/ })
          .locator('[data-testid="tray-thumb"]')
          .count(),
      ).resolves.toBe(1);

      await page.click('[data-testid="send"]');
      // The executable is refused by the server (415): the reason stays on its tray item, no bubble.
      const exe = items.filter({ hasText: 'setup.exe' });
      await exe.locator('[data-testid="tray-error"]').waitFor({ timeout: 10_000 });
      await expect(exe.innerText()).resolves.toContain("This type of file can't be sent");
      await page.locator('[data-testid="message"][data-kind="document"][data-status="read"]').waitFor({ timeout: 15_000 });
      await page.locator('[data-testid="message"][data-kind="image"]').nth(1).waitFor({ timeout: 10_000 });
      await countIs(page, '[data-testid="tray-item"]', 2);
      await page.screenshot({ path: `${SHOTS}/composer-4-tray-errors.png` });

      await expect(page.locator('[data-testid="message"][data-direction="outbound"][data-kind="document"]').count()).resolves.toBe(1);
      await expect(outboundImages().count()).resolves.toBe(2);
      await expect(page.locator('[data-testid="message"]', { hasText: 'setup.exe' }).count()).resolves.toBe(0);

      await exe.locator('[data-testid="tray-remove"]').click();
      await huge.locator('[data-testid="tray-remove"]').click();
      await page.locator('[data-testid="attachment-tray"]').waitFor({ state: 'detached' });
      const kinds = (await app.get(`/api/comms/threads/${threadId}/messages`)).body.items
        .filter((m: any) => m.direction === 'outbound' && m.media)
        .map((m: any) => `${m.kind}:${m.media.fileName}`);
      expect(kinds).toHaveLength(3);
      expect(kinds).toEqual(expect.arrayContaining(['image:receipt.png', 'document:price-list.pdf']));
    });

    it('should keep a file whose upload found no network on the tray, and send it once retried', async () => {
      await page.setInputFiles('[data-testid="attach-input"]', {
        name: 'offline.png',
        mimeType: 'image/png',
        buffer: png(64, 64, [0, 123, 252]),
      });
      const item = page.locator('[data-testid="tray-item"]', { hasText: 'offline.png' });
      await item.waitFor();
      await page.context().setOffline(true);
      await page.click('[data-testid="send"]');
      await item.locator('[data-testid="tray-error"]', { hasText: 'Network error' }).waitFor();
      // Its bubble went with the failed upload: nothing was sent.
      await countIs(page, '[data-testid="message"][data-direction="outbound"][data-kind="image"]', 2);

      await page.context().setOffline(false);
      await item.locator('[data-testid="tray-retry"]').click();
      await item.waitFor({ state: 'detached' });
      await countIs(page, '[data-testid="message"][data-direction="outbound"][data-kind="image"][data-status="read"]', 3);
      const offline = (await app.get(`/api/comms/threads/${threadId}/messages`)).body.items.filter(
        (m: any) => m.media?.fileName === 'offline.png',
      );
      expect(offline).toHaveLength(1);
    });
  });

  describe('templates on a Meta channel with the 24-hour window closed', () => {
    const PHONE_NUMBER_ID = '109876543210987';
    const WABA_ID = '102938475610293';
    const APP_SECRET = 'meta-app-secret-e2e';
    let inbox: InboxBrowser;
    let app: TestApp;
    let page: Page;
    let graph: FakeHttp;

    const templatesPath = `/v23.0/${WABA_ID}/message_templates`;
    const messagesPath = `/v23.0/${PHONE_NUMBER_ID}/messages`;

    beforeAll(async () => {
      graph = await new FakeHttp((call) => {
        if (call.method === 'GET' && call.path === `/v23.0/${PHONE_NUMBER_ID}`)
          return { status: 200, body: fixture('meta/connection_state_open.json') };
        if (call.method === 'GET' && call.path === templatesPath)
          return {
            status: 200,
            body: {
              data: [
                {
                  name: 'order_update',
                  language: 'en_US',
                  status: 'APPROVED',
                  category: 'UTILITY',
                  components: [{ type: 'BODY', text: 'Hi {{1}}, your order {{2}} is ready.' }],
                },
                {
                  name: 'summer_sale',
                  language: 'en_US',
                  status: 'PENDING',
                  category: 'MARKETING',
                  components: [{ type: 'BODY', text: 'Summer sale: 20% off everything until Sunday.' }],
                },
              ],
              paging: {},
            },
          };
        if (call.method === 'POST' && call.path === messagesPath)
          return {
            status: 200,
            body: {
              messaging_product: 'whatsapp',
              contacts: [{ input: '12025550143', wa_id: '12025550143' }],
              // Meta gives every accepted message its own id.
              messages: [{ id: `wamid.E2E-${randomUUID()}` }],
            },
          };
        return { status: 404, body: { error: { message: 'Unknown path', type: 'OAuthException', code: 803 } } };
      }).start();
      inbox = await openInbox();
      ({ app, page } = inbox);
      page.setDefaultTimeout(10_000);
      const created = await app.post('/api/comms/channels', {
        provider: 'meta',
        name: 'Acme Cloud',
        config: { phoneNumberId: PHONE_NUMBER_ID, wabaId: WABA_ID, graphBaseUrl: `${graph.url}/v23.0` },
        secrets: { accessToken: 'EAAG-e2e-token', appSecret: APP_SECRET, verifyToken: 'e2e-verify' },
      });
      expect(created.status).toBe(201);
      // Emily wrote in 2025 (the fixture's timestamp): the conversation exists, its window is long closed.
      const raw = JSON.stringify(fixture('meta/inbound_text.json'));
      const signature = `sha256=${createHmac('sha256', APP_SECRET).update(raw).digest('hex')}`;
      expect((await app.postRaw('/api/comms/webhooks/meta', raw, { 'x-hub-signature-256': signature })).status).toBe(200);
    });

    afterAll(async () => {
      await inbox?.close();
      await graph?.stop();
    });

    it('should offer the approved templates, fill the parameters with a live preview, and send the exact template request', async () => {
      await page.goto(app.url);
      await page.locator('[data-testid="thread-item"]', { hasText: 'Emily Carter' }).click({ timeout: 15_000 });

      await page.locator('[data-testid="window-closed"]').waitFor();
      await expect(page.locator('[data-testid="composer"]').count()).resolves.toBe(0);
      await page.click('[data-testid="choose-template"]');

      const picker = page.locator('[data-testid="template-picker"]');
      const rows = picker.locator('[data-testid="template-item"]');
      await rows.first().waitFor({ timeout: 10_000 });
      await expect(rows.count()).resolves.toBe(2);
      const pending = rows.filter({ hasText: 'summer_sale' });
      await expect(pending.getAttribute('aria-disabled')).resolves.toBe('true');
      await expect(pending.locator('[data-testid="template-status"]').innerText()).resolves.toBe('Pending');
      await expect(picker.locator('[data-testid="template-synced"]').innerText()).resolves.toBe('Synced just now');
      await page.screenshot({ path: `${SHOTS}/composer-5-template-list.png` });

      // Refresh asks Meta again.
      const listed = graph.callsTo('GET', templatesPath).length;
      await picker.locator('[data-testid="template-refresh"]').click();
      await page.waitForFunction(`!document.querySelector('[data-testid="template-refresh"]').disabled`);
      expect(graph.callsTo('GET', templatesPath).length).toBe(listed + 1);

      // A pending template cannot be picked; search narrows the list.
      await pending.click({ force: true });
      await expect(picker.locator('[data-testid="template-param-1"]').count()).resolves.toBe(0);
      await page.fill('[data-testid="template-search"]', 'order');
      await countIs(page, '[data-testid="template-item"]', 1);
      await rows.first().click();

      // {{1}} is prefilled with the contact's first name; the preview follows every keystroke.
      await expect(page.inputValue('[data-testid="template-param-1"]')).resolves.toBe('Emily');
      const preview = picker.locator('[data-testid="template-preview"]');
      await expect(preview.innerText()).resolves.toBe('Hi Emily, your order {{2}} is ready.');
      await page.fill('[data-testid="template-param-2"]', '88412');
      await picker.locator('[data-testid="template-preview"]', { hasText: '88412' }).waitFor();
      await expect(preview.innerText()).resolves.toBe('Hi Emily, your order 88412 is ready.');
      await page.screenshot({ path: `${SHOTS}/composer-6-template-fill.png` });

      await page.click('[data-testid="template-send"]');
      await picker.waitFor({ state: 'detached' });
      const bubble = page.locator('[data-testid="message"][data-direction="outbound"][data-kind="template"]');
      await bubble.waitFor({ timeout: 5_000 });
      await expect(bubble.innerText()).resolves.toContain('Hi Emily, your order 88412 is ready.');
      await page.locator('[data-testid="message"][data-kind="template"][data-status="sent"]').waitFor({ timeout: 10_000 });
      await page.screenshot({ path: `${SHOTS}/composer-7-template-sent.png` });
      await expect(bubble.count()).resolves.toBe(1);

      const sends = graph.callsTo('POST', messagesPath);
      expect(sends).toHaveLength(1);
      expect(sends[0].headers.authorization).toBe('Bearer EAAG-e2e-token');
      expect(sends[0].body).toEqual({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '12025550143',
        type: 'template',
        template: {
          name: 'order_update',
          language: { code: 'en_US' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Emily' },
                { type: 'text', text: '88412' },
              ],
            },
          ],
        },
      });
    });

    it('should offer the template button in the composer once the customer writes again', async () => {
      const fresh = fixture('meta/inbound_text.json');
      fresh.entry[0].changes[0].value.messages[0].id = `wamid.E2E-${randomUUID()}`;
      fresh.entry[0].changes[0].value.messages[0].timestamp = String(Math.floor(Date.now() / 1000));
      const raw = JSON.stringify(fresh);
      const signature = `sha256=${createHmac('sha256', APP_SECRET).update(raw).digest('hex')}`;
      expect((await app.postRaw('/api/comms/webhooks/meta', raw, { 'x-hub-signature-256': signature })).status).toBe(200);

      await page.locator('[data-testid="composer"]').waitFor({ timeout: 10_000 });
      await page.click('[data-testid="open-templates"]');
      await page.locator('[data-testid="template-picker"] [data-testid="template-item"]').first().waitFor({ timeout: 10_000 });
      await page.keyboard.press('Escape');
      await page.locator('[data-testid="template-picker"]').waitFor({ state: 'detached' });
    });

    it('should start a conversation with a new number from a template on the Meta channel', async () => {
      await page.fill('[data-testid="thread-search"]', '+1 202 555 0199');
      await page.click('[data-testid="start-conversation"]');
      await page.selectOption('[data-testid="new-conversation-channel"]', { label: 'Acme Cloud' });
      await page.locator('[data-testid="new-conversation-template-note"]').waitFor();
      await page.click('[data-testid="new-conversation-template"]');

      const picker = page.locator('[data-testid="template-picker"]');
      await picker.locator('[data-testid="template-item"]', { hasText: 'order_update' }).click({ timeout: 10_000 });
      // A number alone has no name to prefill {{1}} with.
      await expect(page.inputValue('[data-testid="template-param-1"]')).resolves.toBe('');
      await page.fill('[data-testid="template-param-1"]', 'Sam');
      await page.fill('[data-testid="template-param-2"]', '5120');
      await page.screenshot({ path: `${SHOTS}/composer-8-new-conversation-template.png` });
      const before = graph.callsTo('POST', messagesPath).length;
      await page.click('[data-testid="template-send"]');

      await page.locator('[data-testid="chat-title"]', { hasText: '+1 202 555 0199' }).waitFor({ timeout: 10_000 });
      const bubble = page.locator('[data-testid="message"][data-kind="template"]', { hasText: 'Hi Sam, your order 5120 is ready.' });
      await bubble.waitFor({ timeout: 10_000 });
      await page.locator('[data-testid="window-closed"]', { hasText: 'has not written yet' }).waitFor();
      await page
        .locator('[data-testid="message"][data-kind="template"][data-status="sent"]', { hasText: 'Sam' })
        .waitFor({ timeout: 10_000 });
      await page.screenshot({ path: `${SHOTS}/composer-9-new-conversation-sent.png` });
      const sends = graph.callsTo('POST', messagesPath);
      expect(sends).toHaveLength(before + 1);
      expect(sends.at(-1)!.body).toMatchObject({ to: '12025550199', type: 'template', template: { name: 'order_update' } });
    });
  });
});
