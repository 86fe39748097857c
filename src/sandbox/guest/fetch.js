// fetch is carried out by the host (bounded by the invocation's remaining time); this file holds
// the WHATWG shapes a handler expects of it: Headers, Response and the fetch function. Loaded on
// first use of any of them.

class Headers {
  #map = new Map();
  constructor(init) {
    if (init == null) return;
    const pairs = typeof init[Symbol.iterator] === "function" ? init : Object.entries(init);
    for (const [name, value] of pairs) this.append(name, value);
  }
  append(name, value) {
    const key = String(name).toLowerCase();
    const prev = this.#map.get(key);
    this.#map.set(key, prev === undefined ? String(value) : `${prev}, ${value}`);
  }
  set(name, value) {
    this.#map.set(String(name).toLowerCase(), String(value));
  }
  get(name) {
    return this.#map.get(String(name).toLowerCase()) ?? null;
  }
  has(name) {
    return this.#map.has(String(name).toLowerCase());
  }
  delete(name) {
    this.#map.delete(String(name).toLowerCase());
  }
  forEach(fn, thisArg) {
    for (const [k, v] of this.#map) fn.call(thisArg, v, k, this);
  }
  keys() {
    return this.#map.keys();
  }
  values() {
    return this.#map.values();
  }
  entries() {
    return this.#map.entries();
  }
  [Symbol.iterator]() {
    return this.#map.entries();
  }
}

function toBytes(body) {
  if (body == null) return undefined;
  if (typeof body === "string") return new TextEncoder().encode(body);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  return new TextEncoder().encode(String(body));
}

/** The response's header pairs as received (set-cookie kept apart), for node:http's IncomingMessage. */
export const RAW_HEADERS = Symbol.for("isolambda.rawHeaders");

class Response {
  #bytes;
  constructor(body, init = {}) {
    this.#bytes = toBytes(body) ?? new Uint8Array(0);
    if (init[RAW_HEADERS]) this[RAW_HEADERS] = init[RAW_HEADERS];
    this.status = init.status ?? 200;
    this.statusText = init.statusText ?? "";
    this.headers = new Headers(init.headers);
    this.url = init.url ?? "";
    this.ok = this.status >= 200 && this.status < 300;
    this.redirected = false;
    this.bodyUsed = false;
  }
  #consume() {
    if (this.bodyUsed) return Promise.reject(new TypeError("Body is unusable: Body has already been read"));
    this.bodyUsed = true;
    return Promise.resolve(this.#bytes);
  }
  arrayBuffer() {
    return this.#consume().then((b) => b.slice().buffer);
  }
  bytes() {
    return this.#consume().then((b) => b.slice());
  }
  text() {
    return this.#consume().then((b) => new TextDecoder().decode(b));
  }
  json() {
    return this.text().then(JSON.parse);
  }
  clone() {
    return new Response(this.#bytes.slice(), this);
  }
}

export function createFetch(host) {
  const pending = new Map();
  let nextId = 1;

  const fetch = (input, init = {}) =>
    new Promise((resolve, reject) => {
      const url = typeof input === "string" ? input : (input?.url ?? String(input));
      const method = String(init.method ?? input?.method ?? "GET").toUpperCase();
      const headers = new Headers(init.headers ?? input?.headers);
      const body = init.body instanceof URLSearchParams ? init.body.toString() : init.body;
      if (init.body instanceof URLSearchParams && !headers.has("content-type")) {
        headers.set("content-type", "application/x-www-form-urlencoded;charset=UTF-8");
      }
      const bytes = toBytes(body);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      const redirect = init.redirect === "manual" ? "manual" : "follow";
      host.fetch(id, String(url), method, JSON.stringify([...headers]), bytes === undefined ? undefined : bytes.slice().buffer, redirect);
    });

  const settled = (id, failure, status, statusText, url, headersJson, body) => {
    const entry = pending.get(id);
    if (!entry) return;
    pending.delete(id);
    if (failure !== undefined) entry.reject(new TypeError(`fetch failed: ${failure}`));
    else {
      const pairs = JSON.parse(headersJson);
      entry.resolve(new Response(body, { status, statusText, url, headers: pairs, [RAW_HEADERS]: pairs }));
    }
  };
  return { fetch, Headers, Response, settled };
}
