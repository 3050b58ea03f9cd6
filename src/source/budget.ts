/**
 * A request budget: at most `requests` per `perSeconds`, applied before each request is sent
 * (not only after a 429).
 *
 * ```yaml
 * rate_limit: { requests: 20, per_seconds: 60 }
 * ```
 */
export function budget(requests: number | undefined, perSeconds: number | undefined): () => Promise<void> {
  if (!requests || !perSeconds) return async () => undefined;
  const windowMs = perSeconds * 1000;
  const sent: number[] = [];
  return async () => {
    for (;;) {
      const now = Date.now();
      while (sent.length && now - sent[0] >= windowMs) sent.shift();
      if (sent.length < requests) {
        sent.push(now);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, sent[0] + windowMs - now));
    }
  };
}
