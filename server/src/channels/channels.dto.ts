import { BadRequestException } from '@nestjs/common';
import {
  catalogEntry,
  PACING_FIELDS,
  PROVIDER_KINDS,
  type ChannelView,
  type CreateChannelRequest,
  type ProviderKind,
  type UpdateChannelRequest,
} from '@switchboard/contracts';
import { optionalString, requireObject, requiredString, stringRecord } from '../common/validate';
import type { Channel } from './channel.entity';
import { maskSecret } from './secrets-cipher';

export class CreateChannelDto implements CreateChannelRequest {
  provider: ProviderKind;
  name: string;
  config: Record<string, string>;
  secrets: Record<string, string>;

  static parse(body: unknown): CreateChannelDto {
    const o = requireObject(body);
    const provider = requiredString(o, 'provider');
    if (!(PROVIDER_KINDS as readonly string[]).includes(provider)) {
      throw new BadRequestException(`provider must be one of ${PROVIDER_KINDS.join(', ')}`);
    }
    const dto = Object.assign(new CreateChannelDto(), {
      provider: provider as ProviderKind,
      name: requiredString(o, 'name', { max: 120 }),
      config: stringRecord(o, 'config'),
      secrets: stringRecord(o, 'secrets'),
    });
    checkFields(dto.provider, dto.config, dto.secrets, true);
    return dto;
  }
}

export class UpdateChannelDto implements UpdateChannelRequest {
  name?: string;
  config?: Record<string, string>;
  secrets?: Record<string, string>;

  static parse(body: unknown): UpdateChannelDto {
    const o = requireObject(body);
    return Object.assign(new UpdateChannelDto(), {
      name: optionalString(o, 'name', { max: 120 }),
      config: o.config === undefined ? undefined : stringRecord(o, 'config'),
      secrets: o.secrets === undefined ? undefined : stringRecord(o, 'secrets'),
    });
  }
}

/**
 * Checks config/secrets against the provider catalog: unknown keys, secrets passed as config
 * (they would be stored in clear and shown), required fields, URL shape.
 */
export function checkFields(
  provider: ProviderKind,
  config: Record<string, string>,
  secrets: Record<string, string>,
  requireAll: boolean,
): void {
  const entry = catalogEntry(provider);
  for (const key of Object.keys(config)) {
    const pacing = PACING_FIELDS.find((x) => x.key === key);
    if (pacing) {
      if (config[key] !== '' && !(Number(config[key]) >= 0)) throw new BadRequestException(`config.${key} must be a number >= 0`);
      continue;
    }
    const f = entry.fields.find((x) => x.key === key);
    if (!f) throw new BadRequestException(`config.${key} is not a ${provider} setting`);
    if (f.secret) throw new BadRequestException(`${key} is a secret: pass it in secrets, not config`);
  }
  for (const key of Object.keys(secrets)) {
    const f = entry.fields.find((x) => x.key === key);
    if (!f || !f.secret) throw new BadRequestException(`secrets.${key} is not a ${provider} secret`);
  }
  if (requireAll) {
    for (const f of entry.fields.filter((x) => x.required)) {
      const v = f.secret ? secrets[f.key] : config[f.key];
      if (!v) throw new BadRequestException(`${f.secret ? 'secrets' : 'config'}.${f.key} is required for ${provider}`);
    }
  }
  if (config.baseUrl !== undefined) {
    try {
      const u = new URL(config.baseUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    } catch {
      throw new BadRequestException('config.baseUrl must be an http(s) URL');
    }
  }
}

export function callbackUrl(publicBaseUrl: string, provider: ProviderKind): string {
  return `${publicBaseUrl}/api/comms/webhooks/${provider}`;
}

export function toChannelView(c: Channel, secrets: Record<string, string>, publicBaseUrl: string): ChannelView {
  const entry = catalogEntry(c.provider);
  const masked: Record<string, string | null> = {};
  for (const f of entry.fields.filter((x) => x.secret)) masked[f.key] = maskSecret(secrets[f.key]);
  return {
    id: c.id,
    provider: c.provider,
    name: c.name,
    address: c.address,
    state: c.state,
    needsReauth: c.needsReauth,
    qr: c.qr,
    callbackUrl: callbackUrl(publicBaseUrl, c.provider),
    config: c.config,
    secrets: masked,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
