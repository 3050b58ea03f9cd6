import { describe, expect, it } from '@jest/globals';
import { formsOf, minimumSecretLength, registerSecret, scrub, scrubDeep } from '../../src/credentials/scrub.js';

const secret = 'Sc/rub+me=now~1';
registerSecret(secret);

describe('the scrubber', () => {
  const b64 = (text: string) => Buffer.from(text).toString('base64');

  it.each([
    ['as is', `token ${secret} end`],
    ['JSON-escaped', JSON.stringify({ t: `a"${secret}` })],
    ['URL-encoded', `Bearer%20${encodeURIComponent(secret)}`],
    ['URL-encoded, lower-case hex', encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())],
    ['form-encoded', new URLSearchParams({ private_token: secret }).toString()],
    ['encoded twice', encodeURIComponent(encodeURIComponent(secret))],
    ['base64', b64(secret)],
    ['base64url', Buffer.from(secret).toString('base64url')],
    ['base64 after 1 byte', b64(`x${secret}`)],
    ['base64 after 2 bytes', b64(`me:${secret}`)],
    ['base64 after 3 bytes, then more', b64(`abc${secret}:and more`)],
    ['base64, then URL-encoded', encodeURIComponent(b64(`user:${secret}`))],
  ])('masks the secret %s', (_form, text) => {
    const out = scrub(text);
    expect(out).toContain('***');
    expect(out).not.toContain(secret);
    expect(out).not.toContain(encodeURIComponent(secret));
    // what is left of a base64 blob cannot be decoded back into a readable part of the secret
    for (const piece of out.split('***')) expect(Buffer.from(piece.replace(/%3D/gi, '='), 'base64').toString('latin1')).not.toMatch(/rub|me=n|now/);
  });

  it('masks a text that is nothing but the shortest form of the secret (shorter texts are passed over unread)', () => {
    const forms = formsOf(secret);
    const shortest = forms[forms.length - 1];
    expect(scrub(shortest)).toBe('***');
    expect(scrub(shortest.slice(1))).toBe(shortest.slice(1));
    expect(scrub(secret)).toBe('***');
  });

  it('leaves other text alone', () => {
    expect(scrub('nothing secret here: Sc/rub, me, now~')).toBe('nothing secret here: Sc/rub, me, now~');
  });

  it(`ignores a value shorter than ${minimumSecretLength} characters (the credential stores refuse it)`, () => {
    registerSecret('abc');
    expect(scrub('abc abcdef')).toBe('abc abcdef');
  });

  it('scrubs every string of a JSON-like value', () => {
    expect(scrubDeep({ a: [`x ${secret}`, 3, null], b: { c: encodeURIComponent(secret) } })).toEqual({ a: ['x ***', 3, null], b: { c: '***' } });
  });
});
