import { countTemplateParameters, type TemplateRef, type TemplateView } from '@switchboard/contracts';

// Counting, filling and checking parameters are shared with the server (libs/contracts templates.ts).
export { fillTemplate as renderTemplate, templateParameterProblem as parameterProblem, templateSegments } from '@switchboard/contracts';

/** How many parameters the body takes: the highest `{{n}}`, or what the server counted if more. */
export function parameterCount(template: Pick<TemplateView, 'body' | 'bodyParameters'>): number {
  return Math.max(countTemplateParameters(template.body), template.bodyParameters ?? 0);
}

/** The `template` object of the send request: the body parameters, in order. */
export function templateRef(template: Pick<TemplateView, 'name' | 'language'>, values: readonly string[]): TemplateRef {
  const ref: TemplateRef = { name: template.name, language: { code: template.language } };
  if (values.length > 0) ref.components = [{ type: 'body', parameters: values.map((text) => ({ type: 'text', text })) }];
  return ref;
}

/** The contact's first name, to prefill `{{1}}` (null when only a number is known). */
export function firstName(name: string | null | undefined): string | null {
  const trimmed = name?.trim();
  if (!trimmed || /^[+\d\s().-]+$/.test(trimmed) || /^(lid|bsuid):/.test(trimmed)) return null;
  return trimmed.split(/\s+/)[0];
}
