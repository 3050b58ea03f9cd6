import type { Redis } from 'ioredis';

/** The Redis key of an integration's run lock. */
export const lockKey = (integration: string) => `intake:lock:${integration}`;

/** Who holds a lock: the job it runs and the worker that runs it (the lock's value). */
export interface LockHolder {
  job: string;
  worker: string;
}

const renew = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const release = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * One run per integration across all workers: `SET key value NX PX ttl`, renewed every third of
 * the TTL while the run goes on, deleted at its end only by its holder (a compare-and-delete). A
 * holder that dies stops renewing, so its lock expires after `ttlMs`; the worker that finds its
 * stalled job releases it at once (`releaseFor`).
 */
export class IntegrationLock {
  private timer?: NodeJS.Timeout;
  private readonly value: string;

  /** `onLost`: the lock expired or another holder has it (this worker was cut off from Redis too long): the run must stop */
  constructor(private readonly redis: Redis, private readonly integration: string, holder: LockHolder, private readonly ttlMs: number, private readonly onLost: () => void = () => undefined) {
    this.value = JSON.stringify(holder);
  }

  /** Takes the lock if it is free; false when another run holds it. */
  async acquire(): Promise<boolean> {
    const taken = await this.redis.set(lockKey(this.integration), this.value, 'PX', this.ttlMs, 'NX');
    if (taken !== 'OK') return false;
    this.timer = setInterval(() => {
      this.redis.eval(renew, 1, lockKey(this.integration), this.value, String(this.ttlMs)).then((renewed) => {
        if (renewed === 0) {
          clearInterval(this.timer);
          this.onLost();
        }
      }, () => undefined);
    }, Math.max(100, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
    return true;
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.eval(release, 1, lockKey(this.integration), this.value).catch(() => undefined);
  }
}

/** Who holds an integration's lock now, if anyone. */
export async function lockHolder(redis: Redis, integration: string): Promise<LockHolder | undefined> {
  const value = await redis.get(lockKey(integration));
  if (!value) return undefined;
  try {
    return JSON.parse(value) as LockHolder;
  } catch {
    return undefined;
  }
}

/** Releases an integration's lock if it is held for `job` (whose worker died): the next run need not wait for it to expire. */
export async function releaseFor(redis: Redis, integration: string, job: string): Promise<void> {
  const value = await redis.get(lockKey(integration));
  if (value && (JSON.parse(value) as LockHolder).job === job) await redis.eval(release, 1, lockKey(integration), value);
}
