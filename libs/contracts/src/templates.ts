/**
 * WhatsApp template bodies (`Hi {{1}}, your order {{2}} is ready.`): counting, filling and
 * checking their numbered parameters. Shared so the composer's preview and the server's stored
 * text are the same string, and both refuse the same values.
 */

/** `{{1}}`, `{{ 2 }}`: WhatsApp's numbered body placeholders. */
const PLACEHOLDER = /\{\{\s*(\d+)\s*\}\}/g;

/** A piece of a filled template: literal text, or the value of parameter `param` (1-based). */
export interface TemplateSegment {
  text: string;
  param: number | null;
  /** For a parameter: whether a value was given (else `text` is the `{{n}}` placeholder). */
  filled: boolean;
}

/** How many parameters a body takes: its highest `{{n}}`. */
export function countTemplateParameters(body: string): number {
  let max = 0;
  for (const match of body.matchAll(PLACEHOLDER)) max = Math.max(max, Number(match[1]));
  return max;
}

/** The body cut into literal text and parameters (a preview highlights each value). */
export function templateSegments(body: string, values: readonly string[]): TemplateSegment[] {
  const segments: TemplateSegment[] = [];
  let last = 0;
  for (const match of body.matchAll(PLACEHOLDER)) {
    const at = match.index ?? 0;
    if (at > last) segments.push({ text: body.slice(last, at), param: null, filled: false });
    const n = Number(match[1]);
    const value = values[n - 1] ?? '';
    segments.push({ text: value || `{{${n}}}`, param: n, filled: value !== '' });
    last = at + match[0].length;
  }
  if (last < body.length) segments.push({ text: body.slice(last), param: null, filled: false });
  return segments;
}

/** The text the customer reads: each `{{n}}` replaced by its value (left as is when missing). */
export function fillTemplate(body: string, values: readonly string[]): string {
  return templateSegments(body, values)
    .map((s) => s.text)
    .join('');
}

/**
 * Why a parameter value would be refused, or null. Meta rejects the whole send (error 132018)
 * when a text parameter is empty, holds a new line or tab, or more than four spaces in a row:
 * https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
 */
export function templateParameterProblem(value: string): string | null {
  if (!value.trim()) return 'Required';
  if (/[\n\r\t]/.test(value)) return 'No line breaks or tabs';
  if (/ {5,}/.test(value)) return 'No more than 4 spaces in a row';
  return null;
}
