import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';

export type Role = 'all' | 'api' | 'worker';

/**
 * The one validated configuration. Built once from the environment at boot; nothing else in the
 * server reads process.env. Names follow the original hand-off so an operator can start with one
 * channel and no clicks (DESIGN.md §5).
 */
export interface AppConfig {
  role: Role;
  port: number;
  publicBaseUrl: string;
  /** Unset: main.ts starts an embedded PostgreSQL under dataDir and fills this in. */
  databaseUrl: string | null;
  /** Port of the embedded PostgreSQL started when DATABASE_URL is unset. */
  embeddedPgPort: number;
  /** Unset: main.ts uses redis://127.0.0.1:6379 if it answers, else starts redis-server. */
  redisUrl: string | null;
  /** Prefix for Bull keys, so several installs (or test runs) can share one Redis. */
  queuePrefix: string;
  dataDir: string;
  clientDir: string;
  /** Secret: encrypts channel secrets at rest. */
  encryptionKey: string;
  defaultCountry: string;
  mediaStorageDir: string;
  /** Largest inbound file kept (COMMS_MEDIA_MAX_BYTES); bigger ones show a download error instead. */
  mediaMaxBytes: number;
  /** Retries of an inbound file's download: attempts, and the exponential backoff base. */
  mediaFetch: { attempts: number; backoffMs: number };
  /** A default channel created or updated at boot, when COMMS_PROVIDER is set. */
  bootChannel: BootChannelConfig | null;
  /** Seed demo threads when the only channel is the mock one and the database is empty. */
  demoData: boolean;
  /**
   * The three pacing values, when set, override every channel's own pacing (an operator's
   * emergency brake, and tests); unset, each channel paces as its provider and config say.
   */
  send: {
    attempts: number;
    backoffMs: number;
    perChannelPerSecond: number | null;
    minGapMs: number | null;
    jitterMs: number | null;
    timeoutMs: number;
  };
  sweeper: { intervalMs: number; staleAfterMs: number };
  /** Backoff base of ingest retries (a receipt that overtook its message waits this, then 2x...). */
  ingestBackoffMs: number;
  /** A history import is done when no history webhook arrived for this long. */
  historySync: { idleMs: number };
  /**
   * The receipt poller: how often it runs, and how long after a send each of its asks comes
   * (a message still `sent` is asked about at each step, then left alone).
   */
  receipts: { pollEveryMs: number; scheduleMs: number[] };
  mock: { deliverAfterMs: number; readAfterMs: number };
  logLevel: 'error' | 'warn' | 'log' | 'debug';
}

/** The default channel described by COMMS_* variables, in the provider catalog's field names. */
export interface BootChannelConfig {
  provider: 'mock' | 'evolution' | 'waha' | 'meta' | 'twilio' | 'android_sms';
  /** What the channel is called in the inbox. */
  name: string;
  routingKey: string | null;
  config: Record<string, string>;
  secrets: Record<string, string>;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

function optionalInt(env: Env, name: string, min: number): number | null {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? null : int(env, name, 0, min);
}

function msList(env: Env, name: string, fallback: number[]): number[] {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return fallback;
  const list = raw.split(',').map((x) => Number(x.trim()));
  if (list.some((n) => !Number.isInteger(n) || n < 0))
    throw new ConfigError(`${name} must be a comma-separated list of milliseconds, got "${raw}"`);
  return list;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function url(env: Env, name: string): string | null {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return null;
  try {
    new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  return raw.replace(/\/+$/, '');
}

/** COMMS_PROVIDER values (the original hand-off's names) and what each needs. */
const BOOT_PROVIDERS = ['mock', 'evolution', 'waha', 'meta_cloud', 'twilio', 'android_sms'] as const;

function bootChannel(env: Env): BootChannelConfig | null {
  const raw = (env.COMMS_PROVIDER ?? '').trim();
  if (raw === '') return null;
  // Providers this build lacks are refused: silently running the mock instead would hide it.
  const provider = oneOf(env, 'COMMS_PROVIDER', BOOT_PROVIDERS, 'mock');
  if (provider === 'mock') return { provider: 'mock', name: 'Demo WhatsApp (mock)', routingKey: null, config: {}, secrets: {} };
  const baseUrl = url(env, 'COMMS_PROVIDER_BASE_URL');
  const apiKey = env.COMMS_PROVIDER_API_KEY?.trim() || '';
  const instance = env.COMMS_INSTANCE_ID?.trim() || '';
  const secret = env.COMMS_WEBHOOK_SECRET?.trim() || '';
  const need = (names: [string, unknown][]): void => {
    const missing = names.filter(([, v]) => !v).map(([n]) => n);
    if (missing.length) throw new ConfigError(`COMMS_PROVIDER=${provider} needs ${missing.join(', ')}`);
  };
  const optional = (key: string, v: string): Record<string, string> => (v ? { [key]: v } : {});
  switch (provider) {
    case 'evolution':
      need([
        ['COMMS_PROVIDER_BASE_URL', baseUrl],
        ['COMMS_PROVIDER_API_KEY', apiKey],
        ['COMMS_INSTANCE_ID', instance],
      ]);
      return {
        provider,
        name: `WhatsApp (${instance})`,
        routingKey: instance,
        config: { baseUrl: baseUrl!, instance },
        secrets: { apiKey, ...optional('webhookToken', secret) },
      };
    case 'waha':
      need([
        ['COMMS_PROVIDER_BASE_URL', baseUrl],
        ['COMMS_PROVIDER_API_KEY', apiKey],
        ['COMMS_INSTANCE_ID', instance],
      ]);
      return {
        provider,
        name: `WhatsApp (${instance})`,
        routingKey: instance,
        config: { baseUrl: baseUrl!, session: instance },
        secrets: { apiKey, ...optional('hmacKey', secret) },
      };
    case 'meta_cloud': {
      const phoneNumberId = env.COMMS_PHONE_NUMBER_ID?.trim() || '';
      const verifyToken = env.COMMS_META_VERIFY_TOKEN?.trim() || '';
      need([
        ['COMMS_PHONE_NUMBER_ID', phoneNumberId],
        ['COMMS_PROVIDER_API_KEY', apiKey],
        ['COMMS_WEBHOOK_SECRET', secret],
        ['COMMS_META_VERIFY_TOKEN', verifyToken],
      ]);
      return {
        provider: 'meta',
        name: `WhatsApp Cloud (${phoneNumberId})`,
        routingKey: phoneNumberId,
        config: { phoneNumberId, ...optional('graphBaseUrl', baseUrl ?? '') },
        secrets: { accessToken: apiKey, appSecret: secret, verifyToken },
      };
    }
    case 'twilio': {
      const accountSid = env.COMMS_TWILIO_ACCOUNT_SID?.trim() || '';
      const from = env.COMMS_TWILIO_FROM?.trim() || '';
      const messagingServiceSid = env.COMMS_TWILIO_MESSAGING_SERVICE_SID?.trim() || '';
      need([
        ['COMMS_TWILIO_ACCOUNT_SID', accountSid],
        ['COMMS_PROVIDER_API_KEY', apiKey],
        ['COMMS_TWILIO_FROM or COMMS_TWILIO_MESSAGING_SERVICE_SID', from || messagingServiceSid],
      ]);
      if (from && !/^\+\d{7,15}$/.test(from))
        throw new ConfigError(`COMMS_TWILIO_FROM must be an E.164 number such as +14155550100, got "${from}"`);
      return {
        provider: 'twilio',
        name: `SMS (${from || messagingServiceSid})`,
        // The catalog's routing order: the Messaging Service when there is one, else the number.
        routingKey: messagingServiceSid || from,
        config: {
          accountSid,
          ...optional('from', from),
          ...optional('messagingServiceSid', messagingServiceSid),
          ...optional('apiBaseUrl', baseUrl ?? ''),
        },
        secrets: { authToken: apiKey },
      };
    }
    case 'android_sms': {
      // SMS Gateway for Android, Local Server mode: the phone's URL and Basic credentials.
      const deviceId = env.COMMS_ANDROID_DEVICE_ID?.trim() || '';
      const username = env.COMMS_ANDROID_USERNAME?.trim() || '';
      need([
        ['COMMS_PROVIDER_BASE_URL', baseUrl],
        ['COMMS_ANDROID_DEVICE_ID', deviceId],
        ['COMMS_ANDROID_USERNAME', username],
        ['COMMS_PROVIDER_API_KEY', apiKey],
      ]);
      return {
        provider,
        name: `Android SMS (${deviceId})`,
        routingKey: deviceId,
        config: { baseUrl: baseUrl!, deviceId, username },
        secrets: { password: apiKey, ...optional('signingKey', secret) },
      };
    }
  }
}

export function loadConfig(env: Env = process.env, cwd = process.cwd()): AppConfig {
  const port = int(env, 'PORT', 3000, 1);
  const dataDir = resolve(cwd, env.SWITCHBOARD_DATA_DIR || '.data');
  const encryptionKey = env.COMMS_ENCRYPTION_KEY?.trim() || '';
  const boot = bootChannel(env);
  return {
    role: oneOf(env, 'ROLE', ['all', 'api', 'worker'] as const, 'all'),
    port,
    publicBaseUrl: url(env, 'PUBLIC_BASE_URL') ?? `http://localhost:${port}`,
    databaseUrl: env.DATABASE_URL?.trim() || null,
    embeddedPgPort: int(env, 'EMBEDDED_PG_PORT', 5439, 1),
    redisUrl: env.REDIS_URL?.trim() || null,
    queuePrefix: env.QUEUE_PREFIX?.trim() || 'switchboard',
    dataDir,
    clientDir: resolve(cwd, env.CLIENT_DIR || 'dist/client/browser'),
    // Without a key, one is generated per data dir by main.ts (persisted beside the database).
    encryptionKey,
    defaultCountry: (env.COMMS_DEFAULT_COUNTRY_CODE || 'BR').trim().toUpperCase(),
    mediaStorageDir: resolve(cwd, env.COMMS_MEDIA_STORAGE_DIR || `${dataDir}/media`),
    mediaMaxBytes: int(env, 'COMMS_MEDIA_MAX_BYTES', 100 * 1024 * 1024, 1024),
    mediaFetch: { attempts: int(env, 'COMMS_MEDIA_FETCH_ATTEMPTS', 6, 1), backoffMs: int(env, 'COMMS_MEDIA_FETCH_BACKOFF_MS', 5000, 1) },
    bootChannel: boot,
    demoData: (env.SWITCHBOARD_DEMO_DATA ?? 'auto') !== 'off',
    send: {
      attempts: int(env, 'COMMS_SEND_ATTEMPTS', 6, 1),
      backoffMs: int(env, 'COMMS_SEND_BACKOFF_MS', 2000, 1),
      perChannelPerSecond: optionalInt(env, 'COMMS_SEND_RATE_PER_SECOND', 1),
      minGapMs: optionalInt(env, 'COMMS_SEND_MIN_GAP_MS', 0),
      jitterMs: optionalInt(env, 'COMMS_SEND_JITTER_MS', 0),
      timeoutMs: int(env, 'COMMS_PROVIDER_TIMEOUT_MS', 15000, 100),
    },
    sweeper: {
      intervalMs: int(env, 'COMMS_SWEEPER_INTERVAL_MS', 30000, 100),
      staleAfterMs: int(env, 'COMMS_SWEEPER_STALE_MS', 60000, 0),
    },
    ingestBackoffMs: int(env, 'COMMS_INGEST_BACKOFF_MS', 1000, 1),
    historySync: { idleMs: int(env, 'COMMS_HISTORY_SYNC_IDLE_MS', 15000, 100) },
    receipts: {
      pollEveryMs: int(env, 'COMMS_RECEIPT_POLL_MS', 60_000, 100),
      scheduleMs: msList(env, 'COMMS_RECEIPT_POLL_SCHEDULE_MS', [120_000, 600_000, 3_600_000, 21_600_000, 86_400_000]),
    },
    mock: {
      deliverAfterMs: int(env, 'COMMS_MOCK_DELIVER_MS', 1200),
      readAfterMs: int(env, 'COMMS_MOCK_READ_MS', 3500),
    },
    logLevel: oneOf(env, 'LOG_LEVEL', ['error', 'warn', 'log', 'debug'] as const, 'log'),
  };
}

export function randomKey(): string {
  return randomBytes(32).toString('base64');
}

/** Injection token for the AppConfig value. */
export const APP_CONFIG = Symbol('APP_CONFIG');
