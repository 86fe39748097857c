// WHATWG Headers as Node's fetch gives them: names lower-cased, values trimmed, `get` joining
// repeated values with ", ", Set-Cookie kept apart (`getSetCookie`, and one entry per cookie when
// iterating), iteration sorted by name. Frameworks built on Request/Response (hono, Powertools'
// event handler) read response cookies through `getSetCookie`.

const HTTP_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

export class Headers {
  /** Lower-cased name → its values in the order they were added. */
  #map = new Map();

  constructor(init) {
    if (init == null) return;
    if (typeof init !== "object" && typeof init !== "function") throw new TypeError("Headers init must be an object or an iterable");
    if (typeof init[Symbol.iterator] === "function") {
      for (const pair of init) {
        const [name, value, ...rest] = [...pair];
        if (value === undefined || rest.length > 0) throw new TypeError("Header pair must contain exactly two items");
        this.append(name, value);
      }
    } else {
      for (const [name, value] of Object.entries(init)) this.append(name, value);
    }
  }

  append(name, value) {
    const key = String(name).toLowerCase();
    const values = this.#map.get(key);
    const text = String(value).replace(HTTP_WHITESPACE, "");
    if (values === undefined) this.#map.set(key, [text]);
    else values.push(text);
  }
  set(name, value) {
    this.#map.set(String(name).toLowerCase(), [String(value).replace(HTTP_WHITESPACE, "")]);
  }
  get(name) {
    return this.#map.get(String(name).toLowerCase())?.join(", ") ?? null;
  }
  getSetCookie() {
    return [...(this.#map.get("set-cookie") ?? [])];
  }
  has(name) {
    return this.#map.has(String(name).toLowerCase());
  }
  delete(name) {
    this.#map.delete(String(name).toLowerCase());
  }
  *entries() {
    for (const name of [...this.#map.keys()].sort()) {
      const values = this.#map.get(name);
      if (values === undefined) continue;
      if (name === "set-cookie") for (const value of values) yield [name, value];
      else yield [name, values.join(", ")];
    }
  }
  *keys() {
    for (const [name] of this.entries()) yield name;
  }
  *values() {
    for (const [, value] of this.entries()) yield value;
  }
  forEach(fn, thisArg) {
    for (const [name, value] of this.entries()) fn.call(thisArg, value, name, this);
  }
  [Symbol.iterator]() {
    return this.entries();
  }
  get [Symbol.toStringTag]() {
    return "Headers";
  }
}
