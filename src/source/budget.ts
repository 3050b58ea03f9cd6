/**
 * A request budget: at most `requests` per `perSeconds`, applied before each request is sent
 * (not only after a 429). Resolves to the milliseconds it held the request back.
 *
 * ```yaml
 * rate_limit: { requests: 20, per_seconds: 60 }
 * ```
 */
export function budget(requests: number | undefined, perSeconds: number | undefined): () => Promise<number> {
  if (!requests || !perSeconds) return async () => 0;
  const windowMs = perSeconds * 1000;
  const sent: number[] = [];
  return async () => {
    const started = Date.now();
    for (;;) {
      const now = Date.now();
      while (sent.length && now - sent[0] >= windowMs) sent.shift();
      if (sent.length < requests) {
        sent.push(now);
        return now - started;
      }
      await new Promise((resolve) => setTimeout(resolve, sent[0] + windowMs - now));
    }
  };
}
