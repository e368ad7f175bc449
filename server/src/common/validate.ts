import { BadRequestException } from '@nestjs/common';

/**
 * Small request validators. Each throws a 400 whose message names the field and the problem,
 * so a caller never has to guess why a request was refused.
 */
export function requireObject(body: unknown, what = 'request body'): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequestException(`${what} must be a JSON object`);
  }
  return body as Record<string, unknown>;
}

export function requiredString(o: Record<string, unknown>, field: string, opts: { max?: number; trim?: boolean } = {}): string {
  const v = o[field];
  if (typeof v !== 'string') throw new BadRequestException(`${field} is required and must be a string`);
  const s = opts.trim === false ? v : v.trim();
  if (s === '') throw new BadRequestException(`${field} must not be empty`);
  if (opts.max !== undefined && s.length > opts.max) throw new BadRequestException(`${field} must be at most ${opts.max} characters`);
  return s;
}

export function optionalString(o: Record<string, unknown>, field: string, opts: { max?: number } = {}): string | undefined {
  if (o[field] === undefined || o[field] === null) return undefined;
  return requiredString(o, field, opts);
}

export function optionalBoolean(o: Record<string, unknown>, field: string): boolean | undefined {
  const v = o[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new BadRequestException(`${field} must be true or false`);
  return v;
}

export function optionalEnum<T extends string>(o: Record<string, unknown>, field: string, allowed: readonly T[]): T | undefined {
  const v = o[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new BadRequestException(`${field} must be one of ${allowed.join(', ')}`);
  }
  return v as T;
}

export function stringRecord(o: Record<string, unknown>, field: string): Record<string, string> {
  const v = o[field];
  if (v === undefined || v === null) return {};
  const rec = requireObject(v, field);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(rec)) {
    if (typeof val !== 'string') throw new BadRequestException(`${field}.${k} must be a string`);
    out[k] = val.trim();
  }
  return out;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(v: unknown): v is string {
  return typeof v === 'string' && UUID.test(v);
}

export function requireUuid(v: unknown, field: string): string {
  if (!isUuid(v)) throw new BadRequestException(`${field} must be a UUID`);
  return v;
}

export function parseLimit(raw: unknown, fallback = 50, max = 200): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new BadRequestException(`limit must be an integer from 1 to ${max}`);
  return n;
}
