import { crc32, deflateSync } from 'node:zlib';
import type { Page, Request } from 'playwright-core';
import { FakeHttp } from '../server/test/support/fake-http';
import { fixture } from '../server/test/support/fixtures';
import type { TestApp } from '../server/test/support/test-app';
import { openInbox, SHOTS, type InboxBrowser } from './support/inbox-browser';

const SESSION = 'support-in';
const PHONE_NUMBER_ID = '109876543210987';
const WABA_ID = '102938475610293';
const TEMPLATES_PATH = `/v23.0/${WABA_ID}/message_templates`;

/**
 * The admin's channel settings page in Debian's headless chromium against the real server, with
 * a local HTTP server speaking WAHA's REST API (GET/PUT /api/sessions/<session>, the QR image).
 */
describe('Channel settings (e2e)', () => {
  let inbox: InboxBrowser;
  let app: TestApp;
  let page: Page;
  let waha: FakeHttp;
  let graph: FakeHttp;
  /** The templates the fake Graph API lists for the WABA. */
  let templateNames = ['order_update', 'summer_sale'];
  /** What the fake WAHA says the session is doing. */
  let wahaStatus = 'WORKING';
  /** When set, the fake WAHA refuses our API key. */
  let wahaRefuses = false;
  /** Every request the page sent to the API. */
  const apiCalls: string[] = [];

  const card = (name: string) => page.locator('[data-testid="channel-card"]', { hasText: name });
  const badge = (name: string) => card(name).locator('[data-testid="channel-state"]');
  const waitForCards = (n: number) =>
    page.waitForFunction(`document.querySelectorAll('[data-testid="channel-card"]').length === ${n}`, undefined, { timeout: 15_000 });
  const waitForThreads = (n: number) =>
    page.waitForFunction(`document.querySelectorAll('[data-testid="thread-item"]').length === ${n}`, undefined, { timeout: 15_000 });

  beforeAll(async () => {
    waha = await new FakeHttp((call) => {
      if (wahaRefuses) return { status: 401, body: { statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' } };
      if (call.method === 'GET' && call.path === `/api/sessions/${SESSION}`) {
        const working = wahaStatus === 'WORKING';
        return {
          status: 200,
          body: {
            name: SESSION,
            status: wahaStatus,
            config: { metadata: { tenant: 'acme-in' }, webhooks: [] },
            me: working ? { id: '919812300000@c.us', pushName: 'Support' } : null,
          },
        };
      }
      if (call.method === 'PUT' && call.path === `/api/sessions/${SESSION}`) return { status: 200, body: { name: SESSION } };
      if (call.method === 'GET' && call.path === `/api/${SESSION}/auth/qr`) {
        return wahaStatus === 'SCAN_QR_CODE'
          ? { status: 200, body: null, bytes: fakeQrPng(), contentType: 'image/png' }
          : { status: 422, body: { statusCode: 422, message: 'Session is not waiting for a QR', error: 'Unprocessable Entity' } };
      }
      return { status: 404, body: { statusCode: 404, message: 'Not Found', error: 'Not Found' } };
    }).start();
    graph = await new FakeHttp((call) => {
      if (call.method === 'GET' && call.path === `/v23.0/${PHONE_NUMBER_ID}`)
        return { status: 200, body: fixture('meta/connection_state_open.json') };
      if (call.method === 'GET' && call.path === TEMPLATES_PATH) {
        const data = templateNames.map((name) => ({
          name,
          language: 'en_US',
          status: 'APPROVED',
          category: 'UTILITY',
          components: [{ type: 'BODY', text: `Template ${name} for {{1}}.` }],
        }));
        return { status: 200, body: { data, paging: {} } };
      }
      return { status: 404, body: { error: { message: 'Unknown path', type: 'OAuthException', code: 803 } } };
    }).start();
    inbox = await openInbox();
    ({ app, page } = inbox);
    page.on('request', (req: Request) => {
      const url = new URL(req.url());
      if (url.pathname.startsWith('/api/')) apiCalls.push(`${req.method()} ${url.pathname}`);
    });
  });

  afterAll(async () => {
    await inbox?.close();
    await waha?.stop();
    await graph?.stop();
  });

  it('should switch between the inbox and settings from the top nav, the inbox working as before', async () => {
    await page.goto(`${app.url}/settings`);
    await waitForCards(1);
    await expect(badge('Demo WhatsApp (mock)').getAttribute('data-state')).resolves.toBe('connected');

    await page.click('[data-testid="nav-inbox"]');
    await waitForThreads(3);
    expect(new URL(page.url()).pathname).toBe('/');
    const names = (await page.locator('[data-testid="thread-item"]').allInnerTexts()).join('\n');
    expect(names).toContain('Ana Souza');
    expect(names).toContain('Priya Sharma');
    await expect(page.getAttribute('[data-testid="nav-inbox"]', 'aria-current')).resolves.toBe('page');

    // A conversation still opens and keeps its place in the URL fragment.
    await page.locator('[data-testid="thread-item"]', { hasText: 'Ana Souza' }).click();
    await page.locator('[data-testid="chat-title"]', { hasText: 'Ana Souza' }).waitFor({ timeout: 10_000 });
    expect(new URL(page.url()).hash).toMatch(/^#\/t\//);
    await page.screenshot({ path: `${SHOTS}/settings-0-inbox-via-nav.png` });

    await page.click('[data-testid="nav-settings"]');
    await waitForCards(1);
    expect(new URL(page.url()).pathname).toBe('/settings');
    await page.click('[data-testid="nav-inbox"]');
    await page.locator('[data-testid="chat-title"]', { hasText: 'Ana Souza' }).waitFor({ timeout: 10_000 });
    await waitForThreads(3);
  });

  it('should refuse an incomplete form field by field and send nothing', async () => {
    await page.goto(`${app.url}/settings`);
    await waitForCards(1);
    await page.screenshot({ path: `${SHOTS}/settings-1-list.png` });
    await page.click('[data-testid="add-channel"]');
    await page.selectOption('[data-testid="channel-provider"]', 'waha');
    await page.fill('[data-testid="form-name"]', 'Support India');
    await page.fill('[data-testid="form-field-baseUrl"]', waha.url);
    // Session and API key left empty.
    apiCalls.length = 0;
    const wahaCallsBefore = waha.calls.length;
    await page.click('[data-testid="form-save"]');

    await expect(page.innerText('[data-testid="form-error-session"]')).resolves.toContain('Session name is required');
    await expect(page.innerText('[data-testid="form-error-apiKey"]')).resolves.toContain('is required');
    await expect(page.getAttribute('[data-testid="form-field-session"]', 'aria-invalid')).resolves.toBe('true');
    await page.click('[data-testid="form-test"]');
    await page.screenshot({ path: `${SHOTS}/settings-2-invalid-form.png` });
    expect(apiCalls.filter((c) => c.startsWith('POST'))).toEqual([]);
    expect(waha.calls.length).toBe(wahaCallsBefore);
    expect((await app.get('/api/comms/channels')).body).toHaveLength(1);
  });

  it('should test unsaved WAHA settings, save them, and show the channel connected with its callback URL', async () => {
    await page.fill('[data-testid="form-field-session"]', SESSION);
    await page.fill('[data-testid="form-field-apiKey"]', 'waha-api-key-1234');
    await page.fill('[data-testid="form-field-hmacKey"]', 'waha-hmac-demo-key');
    await page.click('[data-testid="form-test"]');
    const tested = page.locator('[data-testid="form-test-result"]');
    await tested.waitFor({ timeout: 10_000 });
    await expect(tested.locator('sb-test-result').getAttribute('data-ok')).resolves.toBe('true');
    await expect(tested.innerText()).resolves.toContain('session status: WORKING');
    expect((await app.get('/api/comms/channels')).body).toHaveLength(1);
    await page.screenshot({ path: `${SHOTS}/settings-3-tested-before-saving.png` });

    await page.click('[data-testid="form-save"]');
    await waitForCards(2);
    await page.waitForSelector('[data-testid="channel-form"]', { state: 'detached' });
    await badge('Support India').locator('text=Connected').waitFor({ timeout: 10_000 });
    await expect(badge('Support India').getAttribute('data-state')).resolves.toBe('connected');

    const saved = (await app.get('/api/comms/channels')).body.find((c: { provider: string }) => c.provider === 'waha');
    await expect(card('Support India').locator('[data-testid="callback-url"]').innerText()).resolves.toBe(saved.callbackUrl);
    expect(saved.callbackUrl).toMatch(/\/api\/comms\/webhooks\/waha$/);
    await expect(card('Support India').locator('[data-testid="channel-address"]').innerText()).resolves.toContain('98123');
    await expect(card('Support India').locator('[data-testid="secret-apiKey"]').innerText()).resolves.toBe('••••1234');
    await expect(card('Support India').locator('[data-testid="test-result"]').innerText()).resolves.toContain('webhook');
    // The server registered our callback with the session (PUT with the whole config).
    const put = waha.callsTo('PUT', `/api/sessions/${SESSION}`).at(-1)!;
    expect(put.body.config.webhooks.map((w: { url: string }) => w.url)).toContain(saved.callbackUrl);
    await page.screenshot({ path: `${SHOTS}/settings-4-waha-connected.png`, fullPage: true });
  });

  it('should show the pairing QR when the session waits for a scan and Test connection is clicked', async () => {
    wahaStatus = 'SCAN_QR_CODE';
    await card('Support India').locator('[data-testid="test-connection"]').click();
    await badge('Support India').locator('text=Waiting for QR scan').waitFor({ timeout: 10_000 });
    await expect(badge('Support India').getAttribute('data-state')).resolves.toBe('qr_required');
    const qr = card('Support India').locator('[data-testid="channel-qr"]');
    await qr.waitFor({ timeout: 10_000 });
    await expect(qr.innerText()).resolves.toContain('Scan with WhatsApp on the business phone');
    await expect(qr.locator('img').getAttribute('src')).resolves.toMatch(/^data:image\/png;base64,/);
    await expect(
      card('Support India').locator('[data-testid="test-result"] [data-testid="test-check"]').first().innerText(),
    ).resolves.toContain('SCAN_QR_CODE');
    await card('Support India').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/settings-5-waha-qr.png` });

    // Scanned: the next test turns it green again and the QR goes.
    wahaStatus = 'WORKING';
    await card('Support India').locator('[data-testid="test-connection"]').click();
    await badge('Support India').locator('text=Connected').waitFor({ timeout: 10_000 });
    await qr.waitFor({ state: 'detached', timeout: 10_000 });

    await card('Support India').locator('[data-testid="register-webhook"]').click();
    const registered = card('Support India').locator('[data-testid="webhook-result"] [data-testid="test-check"]', { hasText: 'webhook' });
    await registered.waitFor({ timeout: 10_000 });
    await expect(registered.getAttribute('data-ok')).resolves.toBe('true');
  });

  it('should explain in words a channel whose credentials are refused', async () => {
    wahaRefuses = true;
    await card('Support India').locator('[data-testid="test-connection"]').click();
    await badge('Support India').locator('text=Needs re-authentication').waitFor({ timeout: 10_000 });
    await expect(card('Support India').locator('[data-testid="state-help"]').innerText()).resolves.toContain(
      'no longer accepts our credentials',
    );
    await card('Support India').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/settings-5b-waha-needs-reauth.png` });

    wahaRefuses = false;
    await card('Support India').locator('[data-testid="test-connection"]').click();
    await badge('Support India').locator('text=Connected').waitFor({ timeout: 10_000 });
  });

  it('should edit the name, keep a blank secret and clear an optional one', async () => {
    await card('Support India').locator('[data-testid="edit-channel"]').click();
    const form = page.locator('[data-testid="channel-form"][data-mode="edit"]');
    await expect(form.locator('[data-testid="form-name"]').inputValue()).resolves.toBe('Support India');
    await expect(form.locator('[data-testid="form-field-session"]').inputValue()).resolves.toBe(SESSION);
    await expect(form.locator('[data-testid="form-field-apiKey"]').inputValue()).resolves.toBe('');
    await form.locator('[data-testid="form-name"]').fill('Support India (WAHA)');
    await form.locator('[data-testid="form-clear-hmacKey"]').check();
    await page.screenshot({ path: `${SHOTS}/settings-6-edit.png` });
    await form.locator('[data-testid="form-save"]').click();

    await page.locator('[data-testid="channel-name"]', { hasText: 'Support India (WAHA)' }).waitFor({ timeout: 10_000 });
    await page.waitForSelector('[data-testid="channel-form"]', { state: 'detached' });
    const edited = card('Support India (WAHA)');
    await expect(edited.locator('[data-testid="secret-apiKey"]').innerText()).resolves.toBe('••••1234');
    await expect(edited.locator('[data-testid="secret-hmacKey"]').innerText()).resolves.toBe('not set');
    const saved = (await app.get('/api/comms/channels')).body.find((c: { provider: string }) => c.provider === 'waha');
    expect(saved).toMatchObject({ name: 'Support India (WAHA)', secrets: { apiKey: '••••1234', hmacKey: null } });
  });

  it("should show the server's refusal inline and keep the form", async () => {
    await page.click('[data-testid="add-channel"]');
    await page.selectOption('[data-testid="channel-provider"]', 'waha');
    await page.fill('[data-testid="form-name"]', 'Second WAHA');
    await page.fill('[data-testid="form-field-baseUrl"]', waha.url);
    await page.fill('[data-testid="form-field-session"]', SESSION);
    await page.fill('[data-testid="form-field-apiKey"]', 'another-key');
    await page.click('[data-testid="form-save"]');
    await expect(page.innerText('[data-testid="form-server-error"]')).resolves.toContain(`a waha channel for ${SESSION} already exists`);
    await expect(page.locator('[data-testid="channel-form"][data-mode="add"]').count()).resolves.toBe(1);
    await page.screenshot({ path: `${SHOTS}/settings-6b-server-refusal.png` });
    await page.click('[data-testid="form-cancel"]');
    await page.waitForSelector('[data-testid="channel-form"]', { state: 'detached' });
    expect((await app.get('/api/comms/channels')).body).toHaveLength(2);
  });

  it('should send a test message and show its ticks arrive live, each with its time', async () => {
    const mock = card('Demo WhatsApp (mock)');
    await mock.locator('[data-testid="send-test-message"]').click();
    await mock.locator('[data-testid="loop-to"]').fill('+44 7700 900555');
    await mock.locator('[data-testid="loop-send"]').click();
    const ticks = mock.locator('[data-testid="loop-ticks"]');
    await ticks.waitFor({ timeout: 10_000 });
    await mock.locator('[data-testid="loop-step"][data-step="delivered"][data-reached="true"]').waitFor({ timeout: 10_000 });
    await expect(ticks.getAttribute('data-status')).resolves.toBe('delivered');
    await mock.locator('[data-testid="loop-step"][data-step="read"][data-reached="true"]').waitFor({ timeout: 10_000 });
    const text = await ticks.innerText();
    expect(text).toContain('+44 7700 900555');
    expect(text).toMatch(/Read\s*\+\d+\.\d s/);
    await mock.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/settings-7-loop-ticks.png` });
  });

  it("should show a Meta channel's template count, refresh it, and offer no webhook registration", async () => {
    const created = await app.post('/api/comms/channels', {
      provider: 'meta',
      name: 'Acme Cloud',
      config: { phoneNumberId: PHONE_NUMBER_ID, wabaId: WABA_ID, graphBaseUrl: `${graph.url}/v23.0` },
      secrets: { accessToken: 'EAAG-e2e-token', appSecret: 'e2e-app-secret', verifyToken: 'e2e-verify' },
    });
    expect(created.status).toBe(201);
    await page.reload();
    await waitForCards(3);
    const meta = card('Acme Cloud');
    await expect(meta.locator('[data-testid="register-webhook"]').count()).resolves.toBe(0);
    await expect(meta.innerText()).resolves.toContain("Paste this URL into the provider's webhook settings");
    const info = meta.locator('[data-testid="templates-info"]');
    await info.locator('text=2 message templates').waitFor({ timeout: 10_000 });

    templateNames = ['order_update', 'summer_sale', 'welcome'];
    const listed = graph.callsTo('GET', TEMPLATES_PATH).length;
    await meta.locator('[data-testid="refresh-templates"]').click();
    await info.locator('text=3 message templates').waitFor({ timeout: 10_000 });
    expect(graph.callsTo('GET', TEMPLATES_PATH).length).toBe(listed + 1);
    await meta.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/settings-8-meta-templates.png` });
  });
});

/**
 * A QR-looking PNG for the fake WAHA (`GET /api/<session>/auth/qr`): three finder squares and
 * some noise on 29×29 modules, 6 px each with a quiet zone. Nothing scans it; it only has to look like one.
 */
function fakeQrPng(): Buffer {
  const modules = 29;
  const scale = 6;
  const quiet = 4;
  const size = (modules + quiet * 2) * scale;
  const dark = (x: number, y: number): boolean => {
    const finder = (fx: number, fy: number) => {
      const dx = x - fx;
      const dy = y - fy;
      if (dx < 0 || dy < 0 || dx > 6 || dy > 6) return null;
      const ring = Math.max(Math.abs(dx - 3), Math.abs(dy - 3));
      return ring !== 2;
    };
    const f = finder(0, 0) ?? finder(modules - 7, 0) ?? finder(0, modules - 7);
    if (f !== null) return f;
    return ((x * 7 + y * 13 + ((x * y) % 5)) % 3 === 0) !== ((x + y) % 7 === 0);
  };
  const rows: Buffer[] = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size, 255);
    row[0] = 0;
    for (let px = 0; px < size; px++) {
      const mx = Math.floor(px / scale) - quiet;
      const my = Math.floor(py / scale) - quiet;
      if (mx >= 0 && my >= 0 && mx < modules && my < modules && dark(mx, my)) row[1 + px] = 0;
    }
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
