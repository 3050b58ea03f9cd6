/**
 * Edit distance with transpositions (optimal string alignment): `fileds` is one edit from
 * `fields`, as a typist sees it. Small and allocation-light; used to suggest the nearest valid name.
 */
export function distance(a: string, b: string): number {
  let before = Array.from({ length: b.length + 1 }, () => 0);
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length];
}

/** The nearest candidate to `name`, if it is close enough to be a plausible typo. */
export function nearest(name: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  const prefix = list.find((c) => name.length >= 2 && (c.toLowerCase().startsWith(name.toLowerCase()) || name.toLowerCase().startsWith(c.toLowerCase())));
  if (prefix) return prefix;
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of list) {
    const score = distance(name.toLowerCase(), candidate.toLowerCase());
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  const limit = Math.max(2, Math.floor(name.length / 3));
  return best !== undefined && bestScore <= limit ? best : undefined;
}

const maxListed = 30;

/** "did you mean …?" hint text, or a list of valid names when nothing is close. */
export function suggestion(name: string, candidates: string[]): string {
  const near = nearest(name, candidates);
  if (near) return `did you mean "${near}"?`;
  if (!candidates.length) return 'no names are valid here';
  const shown = candidates.slice(0, maxListed).join(', ');
  return `valid names: ${shown}${candidates.length > maxListed ? ` … (${candidates.length - maxListed} more)` : ''}`;
}
