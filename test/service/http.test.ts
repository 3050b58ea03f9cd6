import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { authorized, isLoopback } from '../../src/service/http.js';

describe('who may ask the service', () => {
  it('loopback addresses answer only this machine; any other address is beyond it', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.20', 'intake.example.com']) expect(isLoopback(host)).toBe(false);
  });

  it('a request is authorized only with Authorization: Bearer and the exact token', () => {
    const req = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as IncomingMessage;
    const token = 'a-service-token-of-some-length';
    expect(authorized(req(`Bearer ${token}`), token)).toBe(true);
    expect(authorized(req(`bearer ${token}`), token)).toBe(true);
    expect(authorized(req(), token)).toBe(false);
    expect(authorized(req(token), token)).toBe(false);
    expect(authorized(req(`Basic ${token}`), token)).toBe(false);
    expect(authorized(req(`Bearer ${token}x`), token)).toBe(false);
    expect(authorized(req(`Bearer ${token.slice(0, -1)}`), token)).toBe(false);
  });
});
