import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { scrub, scrubDeep } from '../credentials/scrub.js';
import { IntakeError } from '../errors.js';

/** An error the API answers with: its HTTP status, and `{ error: { code, message, hint } }`. */
export class HttpError extends IntakeError {
  constructor(readonly status: number, code: string, message: string, hint?: string) {
    super(code, message, { hint });
  }
}

/** Writes a JSON answer; every string in it passes the scrubber. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = scrub(JSON.stringify(scrubDeep(body)));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The JSON error for anything thrown while answering: an HttpError's status, 400 for a usage error, 500 for a bug. */
export function sendError(res: ServerResponse, error: unknown): void {
  if (error instanceof HttpError) return sendJson(res, error.status, { error: { code: error.code, message: error.message, hint: error.hint ?? null } });
  if (error instanceof IntakeError) return sendJson(res, 400, { error: { code: error.code, message: error.message, hint: error.hint ?? null } });
  const message = error instanceof Error ? error.message : String(error);
  sendJson(res, 500, { error: { code: 'internal_error', message: `internal error: ${message}`, hint: 'this is a bug in Intake: report it with the service log' } });
}

/** 127.0.0.0/8, ::1 and localhost: a service there answers only this machine. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '::ffff:127.0.0.1';
}

/** Whether a request carries `Authorization: Bearer <token>` (compared in constant time). */
export function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(match[1]), digest(token));
}
