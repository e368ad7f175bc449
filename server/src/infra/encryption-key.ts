import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomKey } from '../config/app-config';

/**
 * COMMS_ENCRYPTION_KEY encrypts channel secrets. When unset (the quick start), a key is made
 * once and kept beside the embedded database, readable by the owner only, so a restart can
 * still decrypt what was stored.
 */
export function resolveEncryptionKey(configured: string, dataDir: string): string {
  if (configured) return configured;
  const file = join(dataDir, 'encryption.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomKey();
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}
