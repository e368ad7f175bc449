import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../server/test/support/test-app';

/** Screenshots of browser tests (git-ignored): look at them after a run. */
export const SHOTS = resolve(__dirname, '../screenshots');

/** Debian's chromium, headless, with nothing that reaches for the network (STACK.md pitfall 11). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface InboxBrowser {
  app: TestApp;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/**
 * The real server with demo data and the built client (`npm run build:client` first), and a
 * chromium page on it. The mock delivers and reads slowly enough to see each tick.
 */
export async function openInbox(env: Record<string, string> = {}): Promise<InboxBrowser> {
  mkdirSync(SHOTS, { recursive: true });
  const app = await startTestApp({
    SWITCHBOARD_DEMO_DATA: 'on',
    // E2E_CLIENT_DIR: a client built elsewhere (parallel work must not share dist/).
    CLIENT_DIR: process.env.E2E_CLIENT_DIR ?? resolve(__dirname, '../../dist/client/browser'),
    COMMS_MOCK_DELIVER_MS: '1500',
    COMMS_MOCK_READ_MS: '3000',
    ...env,
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  return {
    app,
    browser,
    page,
    close: async () => {
      await browser.close();
      await app.close();
    },
  };
}
