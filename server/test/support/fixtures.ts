import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The shared provider fixtures (../shared beside the repository, as on CI). */
export const FIXTURES_DIR = resolve(__dirname, '../../../../shared/protocols/fixtures');

export function fixtureText(path: string): string {
  return readFileSync(resolve(FIXTURES_DIR, path), 'utf8');
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
