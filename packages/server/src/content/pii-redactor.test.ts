import { describe, expect, it } from 'vitest';
import { passesLuhn, redactPii, redactPiiDeep } from './pii-redactor';

describe('redactPii', () => {
  it('redacts e-mail addresses', () => {
    expect(redactPii('write to jane.doe+news@mail.example.co.uk today')).toBe(
      'write to [REDACTED_EMAIL] today',
    );
  });

  it('redacts phone numbers in common shapes', () => {
    expect(redactPii('call +1 (415) 555-0132 or 020 7946 0958')).toBe(
      'call [REDACTED_PHONE] or [REDACTED_PHONE]',
    );
    expect(redactPii('my number is 415.555.0132.')).toBe('my number is [REDACTED_PHONE].');
  });

  it('redacts card numbers only when the Luhn check passes', () => {
    expect(redactPii('card 4111 1111 1111 1111 exp 12/29')).toBe('card [REDACTED_CARD] exp 12/29');
    expect(redactPii('card 4111-1111-1111-1111')).toBe('card [REDACTED_CARD]');
    // Same length, wrong checksum: an order number, kept.
    expect(redactPii('order 4111111111111112')).toBe('order 4111111111111112');
  });

  it('redacts API-key-like strings and bearer tokens', () => {
    expect(redactPii('key sk-proj-abcdefghijklmnopqrstuvwxyz0123 ok')).toBe(
      'key [REDACTED_API_KEY] ok',
    );
    expect(redactPii('use tg_3f9a1c0e5b7d4a2f8c6e1d0b9a7f5e3c')).toBe('use [REDACTED_API_KEY]');
    expect(redactPii('Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig')).toBe(
      'Authorization: [REDACTED_API_KEY]',
    );
    expect(redactPii('aws AKIAIOSFODNN7EXAMPLE')).toBe('aws [REDACTED_API_KEY]');
    expect(redactPii('token a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8')).toBe(
      'token [REDACTED_API_KEY]',
    );
  });

  it('leaves ordinary text, dates, small numbers and words alone', () => {
    const text = 'In 2024 we shipped 3 releases on 2024-05-01; version 1.2.3 costs $42.50.';
    expect(redactPii(text)).toBe(text);
    expect(redactPii('internationalization-and-localization-guidelines')).toBe(
      'internationalization-and-localization-guidelines',
    );
  });

  it('redacts every string of a message list and keeps its shape', () => {
    const messages = [
      { role: 'system', content: 'be brief' },
      {
        role: 'user',
        content: [{ type: 'text', text: 'mail bob@example.com' }],
      },
    ];
    expect(redactPiiDeep(messages)).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: [{ type: 'text', text: 'mail [REDACTED_EMAIL]' }] },
    ]);
    expect(messages[1]!.content).toEqual([{ type: 'text', text: 'mail bob@example.com' }]);
  });
});

describe('passesLuhn', () => {
  it('accepts valid and refuses invalid checksums', () => {
    expect(passesLuhn('4111111111111111')).toBe(true);
    expect(passesLuhn('5500005555555559')).toBe(true);
    expect(passesLuhn('4111111111111112')).toBe(false);
  });
});
