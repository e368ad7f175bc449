import type { ChannelView, ProviderCatalogEntry, ProviderField, ProviderKind } from '@switchboard/contracts';

/**
 * What the channel form hands over: the body of POST /channels (add) or PATCH /channels/:id
 * (edit). In an edit, `secrets` holds only what the admin typed (absent = keep) and '' for an
 * optional secret they chose to clear.
 */
export interface ChannelDraft {
  provider: ProviderKind;
  name: string;
  config: Record<string, string>;
  secrets: Record<string, string>;
}

/** The form's typed values: `name` plus one entry per catalog field key. */
export type FormValues = Record<string, string>;

/** Error text per field key (`name` for the name). */
export type FieldErrors = Record<string, string>;

export const NAME_KEY = 'name';

/** The values an add form starts with (empty), or an edit form (the stored config; secrets blank). */
export function initialValues(entry: ProviderCatalogEntry | null, channel: ChannelView | null): FormValues {
  const values: FormValues = { [NAME_KEY]: channel?.name ?? '' };
  for (const f of entry?.fields ?? []) values[f.key] = !f.secret && channel ? (channel.config[f.key] ?? '') : '';
  return values;
}

/** Whether a field is a URL by its key (baseUrl, graphBaseUrl, apiBaseUrl): checked for an http(s) scheme. */
function isUrlField(f: ProviderField): boolean {
  return /url$/i.test(f.key);
}

function validUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Field-level checks before anything is sent: the name, required fields (in an edit a blank
 * secret keeps the stored one, so only config fields are required), and URL shape.
 */
export function validate(entry: ProviderCatalogEntry, values: FormValues, editing: boolean): FieldErrors {
  const errors: FieldErrors = {};
  if (!values[NAME_KEY]?.trim()) errors[NAME_KEY] = 'Give the channel a name.';
  for (const f of entry.fields) {
    const value = (values[f.key] ?? '').trim();
    if (!value) {
      if (f.required && !(editing && f.secret)) errors[f.key] = `${f.label} is required.`;
      continue;
    }
    if (isUrlField(f) && !validUrl(value)) errors[f.key] = 'Enter a full http:// or https:// URL.';
  }
  return errors;
}

/**
 * The request body for the values. `stored` is the channel being edited (null when adding);
 * `cleared` lists the optional secrets to erase.
 */
export function toDraft(
  entry: ProviderCatalogEntry,
  values: FormValues,
  stored: ChannelView | null,
  cleared: ReadonlySet<string>,
): ChannelDraft {
  const config: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const f of entry.fields) {
    // Secrets are taken as typed (a leading space can be part of a token); config is trimmed.
    const raw = values[f.key] ?? '';
    if (f.secret) {
      if (stored && cleared.has(f.key)) secrets[f.key] = '';
      else if (raw !== '') secrets[f.key] = raw;
    } else {
      const value = raw.trim();
      // An optional setting emptied in an edit is sent as '' so the server forgets it too.
      if (value || stored?.config[f.key]) config[f.key] = value;
    }
  }
  return { provider: entry.kind, name: values[NAME_KEY].trim(), config, secrets };
}

/** The field a server message names (`config.baseUrl must be…`, `secrets.apiKey is required…`), if any. */
export function fieldOfServerMessage(message: string | null): string | null {
  const m = message?.match(/\b(?:config|secrets)\.([A-Za-z0-9_]+)/);
  return m ? m[1] : null;
}
