/**
 * Wire shapes of SMS Gateway for Android (capcom6/android-sms-gateway) in Local Server mode, as
 * read from the app's source and docs (see PROTOCOL.md beside this file for every source). Only
 * the fields the inbox reads are typed; everything is optional because payloads grew over the
 * app's versions (`messageId` on sms:received, `sender`/`recipient` in 2026, batch events).
 */

/**
 * Every webhook (modules/webhooks/domain/WebHookEventDTO.kt): `id` is a NanoId per emission that
 * a retry of the same delivery keeps; `deviceId` is the local server's device id.
 */
export interface AndroidSmsEnvelope {
  id?: string;
  webhookId?: string;
  deviceId?: string;
  event?: string;
  payload?: unknown;
}

/** `sms:received` (SmsEventPayload.SmsReceived); also each item of `sms:batch:received`. */
export interface AndroidSmsReceived {
  /**
   * `InboxMessage.hashCode()` as unsigned hex: a 32-bit hash of (address, date, SIM, text), the
   * same when the message is exported again. The docs warn it is not guaranteed to be unique.
   */
  messageId?: string;
  message?: string;
  /** Deprecated since 2026-02 in favour of `sender` (same value for inbound). */
  phoneNumber?: string;
  sender?: string;
  /** The receiving SIM's own number; null without READ_PHONE_STATE. */
  recipient?: string | null;
  simNumber?: number | null;
  /** ISO 8601 with the phone's offset, e.g. `2024-06-22T15:46:11.000+07:00`. */
  receivedAt?: string;
}

/** `sms:sent` / `sms:delivered` / `sms:failed` (SmsEventPayload.SmsSent/SmsDelivered/SmsFailed). */
export interface AndroidSmsStatus {
  /** The id of the message we sent (ours, passed as `id` in the send request). */
  messageId?: string;
  phoneNumber?: string;
  sender?: string | null;
  recipient?: string;
  simNumber?: number | null;
  partsCount?: number;
  sentAt?: string;
  deliveredAt?: string;
  failedAt?: string;
  /** sms:failed: e.g. `Send result: RESULT_ERROR_GENERIC_FAILURE`, `TTL expired`. */
  reason?: string;
  /** The TypeScript client names the failure `error`; read both. */
  error?: string;
}

export interface AndroidSmsBatch {
  messages?: AndroidSmsReceived[];
}

export type HealthStatus = 'pass' | 'warn' | 'fail';

export interface AndroidSmsHealthCheck {
  description?: string;
  observedUnit?: string;
  observedValue?: number;
  status?: HealthStatus;
}

/** `GET /health` (no auth); also `system:ping`'s `payload.health`. 500 when `status` is `fail`. */
export interface AndroidSmsHealth {
  status?: HealthStatus;
  version?: string;
  releaseId?: number;
  checks?: Record<string, AndroidSmsHealthCheck>;
}

/** `GET /webhooks` items and the `POST /webhooks` body/answer (WebHookDTO.kt). */
export interface AndroidSmsWebhook {
  id?: string | null;
  url?: string;
  event?: string;
  deviceId?: string | null;
  source?: string;
}

/** `GET /device` items (localserver/domain/Device.kt). */
export interface AndroidSmsDevice {
  id?: string;
  name?: string;
}

/** `POST /message` body (PostMessageRequest.kt, sending-messages.md). */
export interface AndroidSmsSendRequest {
  id: string;
  deviceId?: string;
  textMessage: { text: string };
  phoneNumbers: string[];
  withDeliveryReport: boolean;
}

/** ProcessingState.kt. `Processed`: handed to Android's SmsManager, not yet accepted by the SMSC. */
export type AndroidSmsState = 'Pending' | 'Processed' | 'Sent' | 'Delivered' | 'Failed';

/** `POST /message` answer (202) and `GET /message/{id}`. */
export interface AndroidSmsMessageState {
  id?: string;
  deviceId?: string;
  state?: AndroidSmsState;
  recipients?: { phoneNumber?: string; state?: AndroidSmsState; error?: string | null }[];
  states?: Partial<Record<AndroidSmsState, string>>;
}
