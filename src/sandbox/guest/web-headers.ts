// WHATWG Headers as Node's fetch gives them: names lower-cased, values trimmed, `get` joining
// repeated values with ", ", Set-Cookie kept apart (`getSetCookie`, and one entry per cookie when
// iterating), iteration sorted by name. Frameworks built on Request/Response (hono, Powertools'
// event handler) read response cookies through `getSetCookie`.

const HTTP_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/** What a Headers is made from: pairs (another Headers, an array) or a record. */
export type HeadersInit = Iterable<Iterable<unknown>> | Record<string, unknown>;

export class Headers {
  /** Lower-cased name → its values in the order they were added. */
  #map = new Map<string, string[]>();

  constructor(init?: HeadersInit | null) {
    if (init == null) return;
    if (typeof init !== "object" && typeof init !== "function") throw new TypeError("Headers init must be an object or an iterable");
    if (typeof (init as Partial<Iterable<unknown>>)[Symbol.iterator] === "function") {
      for (const pair of init as Iterable<Iterable<unknown>>) {
        const [name, value, ...rest] = [...pair];
        if (value === undefined || rest.length > 0) throw new TypeError("Header pair must contain exactly two items");
        this.append(name, value);
      }
    } else {
      for (const [name, value] of Object.entries(init as Record<string, unknown>)) this.append(name, value);
    }
  }

  append(name: unknown, value: unknown): void {
    const key = String(name).toLowerCase();
    const values = this.#map.get(key);
    const text = String(value).replace(HTTP_WHITESPACE, "");
    if (values === undefined) this.#map.set(key, [text]);
    else values.push(text);
  }
  set(name: unknown, value: unknown): void {
    this.#map.set(String(name).toLowerCase(), [String(value).replace(HTTP_WHITESPACE, "")]);
  }
  get(name: unknown): string | null {
    return this.#map.get(String(name).toLowerCase())?.join(", ") ?? null;
  }
  getSetCookie(): string[] {
    return [...(this.#map.get("set-cookie") ?? [])];
  }
  has(name: unknown): boolean {
    return this.#map.has(String(name).toLowerCase());
  }
  delete(name: unknown): void {
    this.#map.delete(String(name).toLowerCase());
  }
  *entries(): Generator<[string, string]> {
    for (const name of [...this.#map.keys()].sort()) {
      const values = this.#map.get(name);
      if (values === undefined) continue;
      if (name === "set-cookie") for (const value of values) yield [name, value];
      else yield [name, values.join(", ")];
    }
  }
  *keys(): Generator<string> {
    for (const [name] of this.entries()) yield name;
  }
  *values(): Generator<string> {
    for (const [, value] of this.entries()) yield value;
  }
  forEach(fn: (value: string, name: string, headers: Headers) => void, thisArg?: unknown): void {
    for (const [name, value] of this.entries()) fn.call(thisArg, value, name, this);
  }
  [Symbol.iterator]() {
    return this.entries();
  }
  get [Symbol.toStringTag]() {
    return "Headers";
  }
}
