import { countTemplateParameters, fillTemplate, type TemplateRef, type TemplateView } from '@switchboard/contracts';
import type { ProviderTemplate } from '../providers/provider.types';

/** A synced template as the inbox shows it: body/header/footer text and the body's parameter count. */
export function toTemplateView(t: ProviderTemplate): TemplateView {
  const text = (type: string) => t.components.find((c) => c.type.toUpperCase() === type)?.text ?? null;
  const body = text('BODY') ?? '';
  return {
    name: t.name,
    language: t.language,
    status: t.status,
    category: t.category,
    body,
    header: text('HEADER'),
    footer: text('FOOTER'),
    bodyParameters: countTemplateParameters(body),
  };
}

/** The body parameters of a template send, in order. */
export function bodyParameters(ref: TemplateRef): string[] {
  return (ref.components?.find((c) => c.type === 'body')?.parameters ?? []).map((p) => p.text);
}

/**
 * The text a template message shows in the thread: the body with its {{n}} filled (what the
 * customer reads, the same string the composer previewed), or the name when the body is unknown.
 */
export function renderTemplate(ref: TemplateRef, template: TemplateView | null): string {
  return template ? fillTemplate(template.body, bodyParameters(ref)) : `[template ${ref.name}]`;
}
