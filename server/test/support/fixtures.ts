import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The shared provider fixtures (../shared beside the repository, as on CI). */
export const FIXTURES_DIR = resolve(__dirname, '../../../../shared/protocols/fixtures');

export function fixtureBytes(path: string): Buffer {
  return readFileSync(resolve(FIXTURES_DIR, path));
}

export function fixtureText(path: string): string {
  return fixtureBytes(path).toString('utf8');
}

/** One row of manifest.json: a fixture file and what a correct inbox must do with it. */
export interface ManifestEntry {
  file: string;
  provider: string;
  kind: string;
  event?: string;
  expect: { action: string; [field: string]: unknown };
}

export const MANIFEST: ManifestEntry[] = (JSON.parse(fixtureText('manifest.json')) as { fixtures: ManifestEntry[] }).fixtures;

/** A provider's webhook fixtures, optionally only those whose manifest action is `action`. */
export function webhookFixtures(provider: string, action?: string): ManifestEntry[] {
  return MANIFEST.filter((f) => f.provider === provider && f.kind === 'webhook' && (!action || f.expect.action === action));
}

export function fixture<T = any>(path: string): T {
  return JSON.parse(fixtureText(path)) as T;
}

/** A fixture with some fields replaced, for cases the sample files do not cover. */
export function evolutionEvent(event: string, data: unknown, instance = 'acme-br'): Record<string, unknown> {
  return {
    event,
    instance,
    data,
    destination: 'https://inbox.example.com/api/comms/webhooks/evolution',
    date_time: '2025-11-20T11:03:12.311Z',
    sender: '5511912340000@s.whatsapp.net',
    server_url: 'https://evo.acme.example',
    apikey: null,
  };
}
