import { describe, expect, it } from 'vitest';
import {
  MissingPromptVariableError,
  renderPromptMessages,
  renderText,
  variablesOf,
} from './render-prompt';

describe('renderText', () => {
  it('fills every placeholder, with or without spaces, numbers and booleans as text', () => {
    expect(
      renderText('Summarize {{topic}} in {{ words }} words ({{topic}}, {{strict}})', {
        topic: 'tides',
        words: 50,
        strict: true,
      }),
    ).toBe('Summarize tides in 50 words (tides, true)');
  });

  it('names the first missing variable', () => {
    expect(() => renderText('{{a}} and {{b}}', { a: 'x' })).toThrow(MissingPromptVariableError);
    try {
      renderText('{{a}} and {{b}}', { a: 'x' });
    } catch (error) {
      expect((error as MissingPromptVariableError).variable).toBe('b');
    }
  });

  it('keeps a value that looks like a placeholder as it was given', () => {
    expect(renderText('{{a}}', { a: '{{b}}', b: 'no' })).toBe('{{b}}');
  });

  it('leaves text that is not a placeholder alone', () => {
    expect(renderText('{{ 1x }} {x} {{}}', {})).toBe('{{ 1x }} {x} {{}}');
  });

  it('does not take inherited properties for variables', () => {
    expect(() => renderText('{{constructor}}', {})).toThrow(MissingPromptVariableError);
  });
});

describe('renderPromptMessages and variablesOf', () => {
  it('renders the system message and the template as the user message', () => {
    expect(
      renderPromptMessages(
        { system: 'You write for {{audience}}.', template: 'Explain {{x}}' },
        {
          audience: 'children',
          x: 'rain',
        },
      ),
    ).toEqual([
      { role: 'system', content: 'You write for children.' },
      { role: 'user', content: 'Explain rain' },
    ]);
    expect(renderPromptMessages({ system: null, template: 'Hi' }, {})).toEqual([
      { role: 'user', content: 'Hi' },
    ]);
  });

  it('lists each variable once, in order of first use', () => {
    expect(variablesOf('For {{audience}}', 'Explain {{x}} to {{ audience }}')).toEqual([
      'audience',
      'x',
    ]);
  });
});
