import { countTemplateParameters, fillTemplate, templateParameterProblem } from '@switchboard/contracts';
import { renderTemplate, toTemplateView } from './template-render';

const ORDER_UPDATE = {
  name: 'order_update',
  language: 'en_US',
  status: 'APPROVED',
  category: 'UTILITY',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Order news' },
    { type: 'BODY', text: 'Hi {{1}}, your order {{2}} is ready. Thanks, {{1}}!' },
    { type: 'FOOTER', text: 'Acme' },
    { type: 'BUTTONS' },
  ],
};

describe('template rendering', () => {
  it('should turn a Graph template into the picker view', () => {
    expect(toTemplateView(ORDER_UPDATE)).toEqual({
      name: 'order_update',
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
      body: 'Hi {{1}}, your order {{2}} is ready. Thanks, {{1}}!',
      header: 'Order news',
      footer: 'Acme',
      bodyParameters: 2,
    });
  });

  it('should count parameters by the highest placeholder', () => {
    expect(countTemplateParameters('no parameters')).toBe(0);
    expect(countTemplateParameters('{{ 3 }} then {{1}}')).toBe(3);
  });

  it('should fill placeholders with or without inner spaces, leaving missing ones', () => {
    expect(fillTemplate('Hi {{ 1 }}, order {{2}}', ['Ana', '88412'])).toBe('Hi Ana, order 88412');
    expect(fillTemplate('Hi {{1}}', [])).toBe('Hi {{1}}');
  });

  it('should refuse the parameter values Meta refuses (132018)', () => {
    expect(templateParameterProblem('Ana')).toBeNull();
    expect(templateParameterProblem('  ')).toBe('Required');
    expect(templateParameterProblem('two\nlines')).toBe('No line breaks or tabs');
    expect(templateParameterProblem('a     b')).toBe('No more than 4 spaces in a row');
  });

  it('should fill the body from the body component, leaving missing ones visible', () => {
    const view = toTemplateView(ORDER_UPDATE);
    const ref = (texts: string[]) => ({
      name: 'order_update',
      language: { code: 'en_US' },
      components: [{ type: 'body' as const, parameters: texts.map((text) => ({ type: 'text' as const, text })) }],
    });
    expect(renderTemplate(ref(['Ana', '#88412']), view)).toBe('Hi Ana, your order #88412 is ready. Thanks, Ana!');
    expect(renderTemplate(ref(['Ana']), view)).toBe('Hi Ana, your order {{2}} is ready. Thanks, Ana!');
    expect(renderTemplate(ref([]), null)).toBe('[template order_update]');
  });
});
