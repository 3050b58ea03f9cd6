/** The five outcomes; every record read ends in exactly one. */
export const outcomes = ['added', 'updated', 'unchanged', 'skipped', 'failed'] as const;
export type Outcome = (typeof outcomes)[number];

export type Counts = Record<Outcome, number>;

/** A skipped or failed record, with its key (or position) and why. */
export interface Detail {
  key: string;
  outcome: 'skipped' | 'failed';
  reason: string;
}

/** Tallies outcomes and keeps the reason of every skipped or failed record. */
export class Tally {
  readonly counts: Counts = { added: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };
  readonly details: Detail[] = [];

  get read(): number {
    return outcomes.reduce((sum, o) => sum + this.counts[o], 0);
  }

  add(outcome: Outcome, key: string, reason?: string): void {
    this.counts[outcome]++;
    if (outcome === 'skipped' || outcome === 'failed') this.details.push({ key, outcome, reason: reason ?? 'no reason given' });
  }

  /** Adds another tally's outcomes (a committed batch's) to this one. */
  merge(other: Tally): void {
    for (const o of outcomes) this.counts[o] += other.counts[o];
    for (const d of other.details) this.details.push(d);
  }
}

/** The sum of two sets of counts. */
export function addCounts(a: Counts, b: Counts): Counts {
  return { added: a.added + b.added, updated: a.updated + b.updated, unchanged: a.unchanged + b.unchanged, skipped: a.skipped + b.skipped, failed: a.failed + b.failed };
}

export interface ReasonGroup {
  outcome: string;
  /** the reason's text; a value that differs between the group's records is shown as `…` */
  reason: string;
  count: number;
  /** the keys of the first records of the group */
  keys: string[];
}

/**
 * Reasons grouped by their template, with counts, most frequent first. A reason's template is its
 * text with the record-specific values taken out: the record's own key wherever it appears, and
 * every literal value — a quoted string, a number, a word with a digit in it (ids, e-mails with
 * digits, dates), an e-mail address. So `no record with id = 4711` and `no record with id = 815`
 * are one group whatever the shape of the ids, and `field age: "x" is not an integer` groups with
 * the same failure of every other value. A value that is the same in every record of the group
 * (`older than 90 days`) is shown as it is; one that differs is shown as `…`.
 *
 * Reasons stay plain text where they are produced (converters, CEL, the connector's rules, the
 * engine): a template carried from every producer would have to reach into third-party messages
 * too, and the run log keeps each record's exact reason anyway.
 */
export function groupReasons(details: Detail[], sample = 3): ReasonGroup[] {
  const groups = new Map<string, { outcome: string; parts: string[]; values: (string | null)[]; count: number; keys: string[] }>();
  const split = splitter();
  for (const d of details) {
    const { parts, values } = templateOf(d.reason, d.key, split);
    const id = `${d.outcome}\u0000${parts.join('\u0000')}`;
    const group = groups.get(id);
    if (!group) {
      groups.set(id, { outcome: d.outcome, parts, values, count: 1, keys: [d.key] });
      continue;
    }
    group.count++;
    if (group.keys.length < sample) group.keys.push(d.key);
    group.values.forEach((v, i) => {
      if (v !== values[i]) group.values[i] = null;
    });
  }
  return [...groups.values()]
    .map((g) => ({ outcome: g.outcome, reason: g.parts.map((part, i) => (i < g.values.length ? part + (g.values[i] ?? '…') : part)).join(''), count: g.count, keys: g.keys }))
    .sort((a, b) => b.count - a.count);
}

/** Literal values inside a reason: a JSON string, an e-mail address, a word with a digit (numbers, ids, dates). */
const literal = /"(?:[^"\\]|\\.)*"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w.:+-]*\d[\w.:+-]*/g;

/** Text split around its literal values: `between[i]` precedes `values[i]`, and `rest` ends it. */
interface Split {
  between: string[];
  values: string[];
  rest: string;
}

/**
 * Splits text around its literal values, each distinct text once: the text on either side of a
 * record's key is the same in every record of a group (40,000 reasons of a run where every record
 * was skipped: about 110 ms of matching, now about 30).
 */
function splitter(): (text: string) => Split {
  const known = new Map<string, Split>();
  return (text) => {
    let split = known.get(text);
    if (!split) {
      split = { between: [], values: [], rest: '' };
      let at = 0;
      for (const m of text.matchAll(literal)) {
        split.between.push(text.slice(at, m.index));
        split.values.push(m[0]);
        at = m.index + m[0].length;
      }
      split.rest = text.slice(at);
      if (known.size < 10_000) known.set(text, split); // reasons whose every text differs are matched each time
    }
    return split;
  };
}

/** The reason split around its values: `parts[i]` precedes `values[i]`; the last part ends it. */
export function templateOf(reason: string, key: string, split = splitter()): { parts: string[]; values: string[] } {
  const parts: string[] = [];
  const values: string[] = [];
  let text = '';
  const literals = (segment: string) => {
    const found = split(segment);
    for (let i = 0; i < found.values.length; i++) {
      parts.push(text + found.between[i]);
      values.push(found.values[i]);
      text = '';
    }
    text += found.rest;
  };
  let from = 0;
  for (let at = key ? reason.indexOf(key) : -1; at >= 0; at = reason.indexOf(key, at + key.length)) {
    if (!standsAlone(reason, at, key.length)) continue;
    literals(reason.slice(from, at));
    parts.push(text);
    values.push(key);
    text = '';
    from = at + key.length;
  }
  literals(reason.slice(from));
  parts.push(text);
  return { parts, values };
}

/** The key is not part of a longer word at this position. */
function standsAlone(text: string, at: number, length: number): boolean {
  const word = /[\w@.-]/;
  return !(at > 0 && word.test(text[at - 1]) && word.test(text[at])) && !(at + length < text.length && word.test(text[at + length]) && word.test(text[at + length - 1]));
}
