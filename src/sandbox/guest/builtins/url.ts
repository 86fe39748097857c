// WHATWG URL and URLSearchParams. The URL parser is the host's Node (executor/native/url.ts), one
// crossing per parse or setter: a parser in QuickJS cost 55–150 ms to evaluate before the first
// `new URL()`, which every AWS SDK client makes at INIT. URLSearchParams and the
// application/x-www-form-urlencoded codec are here: short string work, no crossing.

const host = isolambdaHost;

const HREF = 0;
const PART = { origin: 1, protocol: 2, username: 3, password: 4, host: 5, hostname: 6, port: 7, pathname: 8, search: 9, hash: 10 };
type Part = keyof typeof PART;

/** What crosses for a string the host reads: itself, or its UTF-8 bytes if a C string cannot carry it (a NUL). */
function crossing(text: string): string | ArrayBuffer {
  const whole = text.toWellFormed();
  return whole.includes("\0") ? (new TextEncoder().encode(whole).buffer as ArrayBuffer) : whole;
}

function invalidUrl(input: string, base: string | undefined): TypeError {
  const error = new TypeError("Invalid URL") as TypeError & { code: string; input: string; base?: string };
  error.code = "ERR_INVALID_URL";
  error.input = input;
  if (base !== undefined) error.base = base;
  return error;
}

const LINK = Symbol("isolambda.urlLink");

export class URL {
  #parts: string[];
  #params: URLSearchParams | undefined;

  constructor(input: unknown, base?: unknown) {
    // biome-ignore lint/complexity/noArguments: Node tells new URL() from new URL(undefined) by the count of arguments.
    if (arguments.length === 0) {
      throw Object.assign(new TypeError('The "url" argument must be specified'), { code: "ERR_MISSING_ARGS" });
    }
    const text = String(input);
    const baseText = base === undefined ? undefined : String(base);
    const parts = host.urlParse(crossing(text), baseText === undefined ? undefined : crossing(baseText));
    if (parts === undefined) throw invalidUrl(text, baseText);
    this.#parts = parts.split("\n");
  }

  static canParse(input: unknown, base?: unknown): boolean {
    return host.urlParse(crossing(String(input)), base === undefined ? undefined : crossing(String(base))) !== undefined;
  }

  static parse(input: unknown, base?: unknown): URL | null {
    try {
      return new URL(input, base);
    } catch {
      return null;
    }
  }

  #set(part: string, value: unknown): void {
    this.#parts = host.urlSet(this.#parts[HREF] as string, part, crossing(String(value))).split("\n");
  }

  #part(part: Part): string {
    return this.#parts[PART[part]] as string;
  }

  get href(): string {
    return this.#parts[HREF] as string;
  }
  set href(value: string) {
    const text = String(value);
    const parts = host.urlParse(crossing(text), undefined);
    if (parts === undefined) throw invalidUrl(text, undefined);
    this.#parts = parts.split("\n");
    this.#params?.[LINK](this.search);
  }
  get origin(): string {
    return this.#part("origin");
  }
  get protocol(): string {
    return this.#part("protocol");
  }
  set protocol(value: string) {
    this.#set("protocol", value);
  }
  get username(): string {
    return this.#part("username");
  }
  set username(value: string) {
    this.#set("username", value);
  }
  get password(): string {
    return this.#part("password");
  }
  set password(value: string) {
    this.#set("password", value);
  }
  get host(): string {
    return this.#part("host");
  }
  set host(value: string) {
    this.#set("host", value);
  }
  get hostname(): string {
    return this.#part("hostname");
  }
  set hostname(value: string) {
    this.#set("hostname", value);
  }
  get port(): string {
    return this.#part("port");
  }
  set port(value: string) {
    this.#set("port", value);
  }
  get pathname(): string {
    return this.#part("pathname");
  }
  set pathname(value: string) {
    this.#set("pathname", value);
  }
  get search(): string {
    return this.#part("search");
  }
  set search(value: string) {
    this.#set("search", value);
    this.#params?.[LINK](this.search);
  }
  get hash(): string {
    return this.#part("hash");
  }
  set hash(value: string) {
    this.#set("hash", value);
  }
  get searchParams(): URLSearchParams {
    if (this.#params === undefined) {
      this.#params = new URLSearchParams(this.search);
      // The params' changes write the query back: empty params leave no `?`, as the standard's update steps do.
      this.#params[LINK](undefined, (query) => this.#set("search", query));
    }
    return this.#params;
  }
  toString(): string {
    return this.href;
  }
  toJSON(): string {
    return this.href;
  }
  get [Symbol.toStringTag](): string {
    return "URL";
  }
  [Symbol.for("nodejs.util.inspect.custom")](): object {
    const shown: Record<string, unknown> = { href: this.href, origin: this.origin };
    for (const part of ["protocol", "username", "password", "host", "hostname", "port", "pathname", "search"] as const)
      shown[part] = this[part];
    shown.searchParams = this.searchParams;
    shown.hash = this.hash;
    return Object.setPrototypeOf(shown, { constructor: URL, [Symbol.toStringTag]: "URL" });
  }
}

// application/x-www-form-urlencoded, as the URL Standard parses and serializes it.

/** Percent-decodes a name or value (after `+` became a space) as UTF-8, a bad sequence as U+FFFD. */
function decode(text: string): string {
  const spaced = text.includes("+") ? text.replace(/\+/g, " ") : text;
  if (!spaced.includes("%")) return spaced;
  const bytes = new TextEncoder().encode(spaced);
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (byte === 0x25 && i + 2 < bytes.length) {
      const hex = String.fromCharCode(bytes[i + 1] as number, bytes[i + 2] as number);
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        out[n++] = Number.parseInt(hex, 16);
        i += 2;
        continue;
      }
    }
    out[n++] = byte;
  }
  return new TextDecoder().decode(out.subarray(0, n));
}

/** encodeURIComponent leaves these alone; the form encoding escapes them. */
const FORM_ESCAPES: Record<string, string> = { "!": "%21", "'": "%27", "(": "%28", ")": "%29", "~": "%7E", "%20": "+" };

function encode(text: string): string {
  return encodeURIComponent(text.toWellFormed()).replace(/[!'()~]|%20/g, (match) => FORM_ESCAPES[match] as string);
}

function parseQuery(query: string): [string, string][] {
  const list: [string, string][] = [];
  for (const sequence of query.split("&")) {
    if (sequence === "") continue;
    const at = sequence.indexOf("=");
    const name = at === -1 ? sequence : sequence.slice(0, at);
    const value = at === -1 ? "" : sequence.slice(at + 1);
    list.push([decode(name), decode(value)]);
  }
  return list;
}

type Init = string | URLSearchParams | Iterable<Iterable<unknown>> | Record<string, unknown>;

export class URLSearchParams {
  #list: [string, string][] = [];
  #update: ((query: string) => void) | undefined;

  constructor(init: Init | undefined = undefined) {
    if (init instanceof URLSearchParams) this.#list = init.#list.map(([name, value]) => [name, value]);
    else if (init !== null && typeof init === "object") {
      const pairs = (init as { [Symbol.iterator]?: unknown })[Symbol.iterator];
      if (typeof pairs === "function") {
        for (const pair of init as Iterable<Iterable<unknown>>) {
          const items = [...pair];
          if (items.length !== 2) {
            throw Object.assign(new TypeError("Each query pair must be an iterable [name, value] tuple"), { code: "ERR_INVALID_TUPLE" });
          }
          this.#list.push([String(items[0]).toWellFormed(), String(items[1]).toWellFormed()]);
        }
      } else {
        for (const name of Object.keys(init)) {
          this.#list.push([name.toWellFormed(), String((init as Record<string, unknown>)[name]).toWellFormed()]);
        }
      }
    } else if (init !== undefined) {
      const query = String(init);
      this.#list = parseQuery(query.startsWith("?") ? query.slice(1) : query);
    }
  }

  /** The URL's side of the link: a new query re-read into the list, or the writer of the list's query. */
  [LINK](query: string | undefined, update?: (query: string) => void): void {
    if (update !== undefined) this.#update = update;
    if (query !== undefined) this.#list = parseQuery(query.startsWith("?") ? query.slice(1) : query);
  }

  #changed(): void {
    this.#update?.(this.toString());
  }

  get size(): number {
    return this.#list.length;
  }
  append(name: string, value: string): void {
    this.#list.push([String(name).toWellFormed(), String(value).toWellFormed()]);
    this.#changed();
  }
  delete(name: string, value?: string): void {
    const key = String(name);
    const only = value === undefined ? undefined : String(value);
    this.#list = this.#list.filter(([n, v]) => n !== key || (only !== undefined && v !== only));
    this.#changed();
  }
  get(name: string): string | null {
    const key = String(name);
    return this.#list.find(([n]) => n === key)?.[1] ?? null;
  }
  getAll(name: string): string[] {
    const key = String(name);
    return this.#list.filter(([n]) => n === key).map(([, v]) => v);
  }
  has(name: string, value?: string): boolean {
    const key = String(name);
    const only = value === undefined ? undefined : String(value);
    return this.#list.some(([n, v]) => n === key && (only === undefined || v === only));
  }
  set(name: string, value: string): void {
    const key = String(name).toWellFormed();
    const text = String(value).toWellFormed();
    const first = this.#list.findIndex(([n]) => n === key);
    if (first === -1) this.#list.push([key, text]);
    else {
      this.#list[first] = [key, text];
      this.#list = this.#list.filter(([n], index) => n !== key || index === first);
    }
    this.#changed();
  }
  /** By name in UTF-16 code units, stably, as the standard sorts. */
  sort(): void {
    this.#list = this.#list
      .map((pair, index) => ({ pair, index }))
      .sort((a, b) => (a.pair[0] < b.pair[0] ? -1 : a.pair[0] > b.pair[0] ? 1 : a.index - b.index))
      .map(({ pair }) => pair);
    this.#changed();
  }
  forEach(callback: (value: string, name: string, params: URLSearchParams) => void, thisArg?: unknown): void {
    if (typeof callback !== "function") {
      throw Object.assign(new TypeError('The "callback" argument must be of type function'), { code: "ERR_INVALID_ARG_TYPE" });
    }
    for (let i = 0; i < this.#list.length; i++) {
      const [name, value] = this.#list[i] as [string, string];
      callback.call(thisArg, value, name, this);
    }
  }
  *entries(): IterableIterator<[string, string]> {
    for (let i = 0; i < this.#list.length; i++) yield [...(this.#list[i] as [string, string])];
  }
  *keys(): IterableIterator<string> {
    for (let i = 0; i < this.#list.length; i++) yield (this.#list[i] as [string, string])[0];
  }
  *values(): IterableIterator<string> {
    for (let i = 0; i < this.#list.length; i++) yield (this.#list[i] as [string, string])[1];
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
  toString(): string {
    return this.#list.map(([name, value]) => `${encode(name)}=${encode(value)}`).join("&");
  }
  get [Symbol.toStringTag](): string {
    return "URLSearchParams";
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    const shown = this.#list.map(([name, value]) => `'${name}' => '${value}'`).join(", ");
    return `URLSearchParams {${shown === "" ? "" : ` ${shown} `}}`;
  }
}
