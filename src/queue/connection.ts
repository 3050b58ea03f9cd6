import type { ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { registerSecret } from '../credentials/scrub.js';
import { IntakeError, UsageError } from '../errors.js';

/** The BullMQ queue the service puts due runs on and workers take them from. */
export const queueName = 'intake-runs';

/** A problem with the queue: Redis cannot be reached, refuses the password, or answers with an error. */
export class QueueError extends IntakeError {}

/** Where the queue lives: `redis://host:port[/db]`; the password comes from INTAKE_REDIS_PASSWORD, never from the URL. */
export interface QueueTarget {
  host: string;
  port: number;
  db: number;
  tls: boolean;
  password?: string;
  /** the URL as it may be shown: never with a password */
  shown: string;
}

/**
 * Parses `--queue redis://HOST:PORT[/DB]` (or `rediss://` for TLS). A password in the URL is
 * refused: it would be in the shell history and the process list; INTAKE_REDIS_PASSWORD gives it.
 */
export function parseQueueUrl(text: string, env: NodeJS.ProcessEnv = process.env): QueueTarget {
  const example = 'e.g. --queue redis://127.0.0.1:6379 or redis://redis.internal:6379/2';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError('queue_url_invalid', `--queue "${text}" is not a URL`, { hint: `give Redis as redis://HOST:PORT[/DB], ${example}` });
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new UsageError('queue_url_invalid', `--queue ${url.protocol}//… is not a Redis URL`, { hint: `it starts with redis:// (or rediss:// for TLS), ${example}` });
  }
  if (url.password || url.username) {
    throw new UsageError('queue_password_in_url', '--queue must not carry a user or password: the command line is visible to other users of this machine', {
      hint: 'put the password in the environment variable INTAKE_REDIS_PASSWORD and give --queue without it',
    });
  }
  const path = url.pathname.replace(/^\//, '');
  if (path && !/^\d{1,2}$/.test(path)) throw new UsageError('queue_url_invalid', `--queue ${text}: "/${path}" is not a Redis database number`, { hint: `the database is a number after the port (0 when absent), ${example}` });
  if (url.search || url.hash) throw new UsageError('queue_url_invalid', `--queue ${text}: a Redis URL takes no query or fragment`, { hint: example });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) throw new UsageError('queue_url_invalid', `--queue ${text} names no host`, { hint: example });
  const port = url.port ? Number(url.port) : 6379;
  const db = path ? Number(path) : 0;
  const password = env.INTAKE_REDIS_PASSWORD || undefined;
  registerSecret(password);
  return { host, port, db, tls: url.protocol === 'rediss:', password, shown: `${url.protocol}//${url.host}/${db}` };
}

/** ioredis options for BullMQ (it needs `maxRetriesPerRequest: null`); reconnects after a lost connection. */
export function redisOptions(target: QueueTarget): ConnectionOptions & { host: string; port: number; db: number; password?: string; retryStrategy: (times: number) => number | null } {
  return {
    host: target.host, port: target.port, db: target.db, password: target.password,
    ...(target.tls ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(times * 200, 5000),
  };
}

/**
 * Checks that Redis answers (PING) within `timeoutMs`: an unreachable
 * host, a refused password or a Redis that is not ready becomes a `QueueError` that names the
 * URL (never the password) and says what to do.
 */
export async function checkQueue(target: QueueTarget, timeoutMs = 5000): Promise<void> {
  const redis = new Redis({ ...redisOptions(target), lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  let last: Error | undefined;
  redis.on('error', (error: Error) => {
    last = error;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    // ioredis rejects with "Connection is closed."; the cause (ECONNREFUSED, NOAUTH, WRONGPASS) came as an error event
    throw unreachable(target, last ?? (error as Error));
  }
  redis.disconnect();
}

/** A connection of Intake's own (the integration locks); errors are left to the commands that use it, never printed by ioredis. */
export function openRedis(target: QueueTarget): Redis {
  const redis = new Redis(redisOptions(target));
  redis.on('error', () => undefined);
  return redis;
}

function unreachable(target: QueueTarget, error: Error): QueueError {
  const text = error.message ?? String(error);
  if (/NOAUTH|WRONGPASS|invalid password/i.test(text)) {
    return new QueueError('queue_auth', `Redis at ${target.shown} refused the connection: ${target.password ? 'the password in INTAKE_REDIS_PASSWORD is wrong' : 'it needs a password'}`, {
      hint: 'set INTAKE_REDIS_PASSWORD to the password of that Redis (requirepass), then start again',
    });
  }
  const reason = /ECONNREFUSED/.test(text) ? 'nothing listens there (connection refused)' : /ENOTFOUND|EAI_AGAIN/.test(text) ? 'the host name does not resolve' : /ETIMEDOUT|timeout/i.test(text) ? 'no answer in time' : text;
  return new QueueError('queue_unreachable', `cannot reach Redis at ${target.shown}: ${reason}`, {
    hint: 'start Redis there (e.g. systemctl start redis-server), or check the host and port in --queue and that this machine may connect to it',
  });
}
