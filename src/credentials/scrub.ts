/**
 * The one scrubber. Every credential value that enters this process (the local credential store,
 * credentials given in-process, access tokens fetched by an auth component) is registered here,
 * and every string that leaves it (the CLI's stdout and stderr, every value bound into the
 * embedded store, the run result the library returns) passes `scrub`. The sinks call it, not the
 * code that builds a message, so a new message, URL or reason cannot forget it.
 *
 * A secret is masked in the forms an API, a proxy or a log echoes it in: as is, JSON-escaped,
 * URL-encoded (path, query and form encoding, upper- or lower-case hex, and twice encoded), and
 * base64 / base64url at any alignment inside a longer blob (the `Basic base64(user:password)`
 * header). A credential shorter than `minimumSecretLength` cannot be masked without masking
 * ordinary text, so the credential stores refuse it (see ./local.ts).
 */

/** Credentials shorter than this are refused: masking them would mask ordinary text. */
export const minimumSecretLength = 8;

export const mask = '***';

const secrets = new Set<string>();
let pattern: RegExp | undefined;
/** the length of the shortest form `pattern` matches: a shorter text holds no secret (most keys and values the store binds) */
let shortest = Infinity;

/**
 * Registers a credential value (or a pair such as `user:password`) to be masked everywhere from
 * now on. A value shorter than `minimumSecretLength` is ignored: the credential stores refuse
 * such a credential before it is used, and masking it would mangle every message.
 */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < minimumSecretLength || secrets.has(value)) return;
  secrets.add(value);
  pattern = undefined;
}

/** The text with every registered secret, in every form, replaced by `***`. */
export function scrub(text: string): string {
  if (!secrets.size) return text;
  pattern ??= compile();
  return text.length < shortest ? text : text.replace(pattern, mask);
}

/** A copy of a JSON-like value with every string scrubbed (arrays and plain objects are walked). */
export function scrubDeep<T>(value: T): T {
  if (!secrets.size) return value;
  if (typeof value === 'string') return scrub(value) as T;
  if (Array.isArray(value)) return value.map(scrubDeep) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v)])) as T;
  }
  return value;
}

/**
 * Every form a secret may be echoed in, longest first: the secret and its base64 / base64url
 * forms (whole, and at each alignment inside a longer blob), each as is, JSON-escaped and
 * URL-encoded (a base64 `Authorization` value sent on in a query string is both).
 */
export function formsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const bases = new Set<string>([secret, bytes.toString('base64'), bytes.toString('base64url')]);
  for (const shift of [0, 1, 2]) {
    const standard = aligned(bytes, shift);
    bases.add(standard);
    bases.add(standard.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  const forms = new Set<string>();
  for (const base of bases) {
    forms.add(base);
    forms.add(JSON.stringify(base).slice(1, -1));
    for (const encoded of [encodeURIComponent(base), encodeURI(base), new URLSearchParams({ s: base }).toString().slice(2), encodeURIComponent(encodeURIComponent(base))]) {
      forms.add(encoded);
      forms.add(encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()));
    }
  }
  return [...forms].filter((f) => f.length >= minimumSecretLength).sort((a, b) => b.length - a.length);
}

/**
 * The base64 characters that depend only on the secret's bytes when it starts `shift` bytes
 * into a 3-byte group of a longer blob: the characters shared with the bytes before and after
 * it are left out, so the form matches wherever the secret sits.
 */
function aligned(bytes: Buffer, shift: number): string {
  const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64').replace(/=+$/, '');
  const head = Math.ceil((shift * 8) / 6);
  const tail = (shift + bytes.length) % 3 === 0 ? 0 : 1;
  return encoded.slice(head, encoded.length - tail);
}

function compile(): RegExp {
  const forms = [...new Set([...secrets].flatMap(formsOf))].sort((a, b) => b.length - a.length);
  shortest = forms[forms.length - 1].length;
  return new RegExp(forms.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
}
