/**
 * The two sides of the line between the host and the guest runtime (src/sandbox/guest/), as the
 * guest sees them: the capability object the host hands the guest's boot function, and the entry
 * points that function returns for the host to call. executor/guest-host.ts and executor/native/
 * implement the first (checked with `satisfies`), executor/guest-context.ts calls the second.
 * Values cross as strings, numbers, booleans and whole ArrayBuffers; structured ones as JSON text.
 * This file imports nothing: the guest, which is not Node, type-checks against it too.
 */

/** Bytes across the line: always a whole ArrayBuffer (a view's bytes are copied out first). */
export type Bytes = ArrayBuffer;
/** A string as it is, or bytes. */
export type Data = string | Bytes;
/** A hash's batched updates: each part's data, then its encoding ("bytes" for an ArrayBuffer). */
export type HashParts = (Data | string)[];

/**
 * `follow` and `manual` are fetch's redirect modes. `raw` is node:http's exchange: the request as
 * written and the answer as it came (no redirect followed, no body decoded), through undici's
 * dispatcher, which skips fetch's WHATWG machinery (~0.4 ms of a small SDK call's exchange here).
 */
export type FetchMode = "follow" | "manual" | "raw";

/** What a fetch settles with: a failure's message, or the answer (fetchSettled's arguments after the id). */
export type FetchSettled = [
  failure: string | undefined,
  status?: number,
  statusText?: string,
  url?: string,
  /** The header pairs as JSON; in `raw` mode flat (names and values in turn), as node:http's rawHeaders. */
  headersJson?: string,
  body?: ArrayBuffer,
];

/** The capability object: the only doors from a QuickJS context to the host. */
export interface HostCapabilities {
  // The environment
  log(level: string, message: string): void;
  /** The output box's batch (guest/output-box.ts). */
  output(batch: string): void;
  /** Epoch milliseconds, fractional. */
  now(): number;
  /**
   * Whether the phase must end now (its deadline passed, its memory ran out): a guest loop of long
   * host calls asks between two, as QuickJS asks its interrupt handler only every ~10,000 of its own steps.
   */
  shouldStop(): boolean;
  randomUUID(): string;
  random(size: number): Bytes;
  /** A bundle of guest/builtins/ by name; throws for a name that has none. */
  builtin(name: string): string;
  /** A script's completion value; its exception is thrown in the guest. */
  evalScript(code: string, filename: string): unknown;
  /** Runs an ES module for require(), leaving its namespace at Symbol.for("isolambda.requiredModule"). */
  requireModule(path: string): void;
  /** `builtin:<name>`, `<format>:<path>`, or undefined when nothing is found. */
  resolve(fromDir: string, specifier: string, mode: "require" | "import"): string | undefined;
  handlerModule(modulePath: string): string | undefined;
  read(path: string): string | undefined;
  /** One door for every fs operation: JSON `{value}` or `{error}`, or the bytes of a file read. */
  fs(op: string, argsJson: string, bytes?: Bytes): string | Bytes;
  /** Fires `id` after `ms`; a negative `ms` is a task of the loop's next poll phase (executor/guest-timers.ts). */
  timer(id: number, ms: number): void;
  clearTimer(id: number): void;
  /** Sets (or, for undefined, reads) whether the timer keeps the event loop alive. */
  timerRef(id: number, ref: boolean | undefined): boolean;
  timerRefresh(id: number): void;
  fetch(id: number, url: string, method: string, headersJson: string, body: Bytes | undefined, redirect: FetchMode): void;
  uncaught(errorJson: string): void;
  exit(status: number): void;
  streamContentType(contentType: string): void;
  streamWrite(chunk: Data): void;

  // Encodings (executor/native/encoding.ts)
  encodingToString(data: Bytes, encoding: string): string;
  /** `length`, the text's length when it is short, lets the host read it by a cheaper path. */
  encodingFromString(text: string, encoding: string, length?: number): Bytes;
  encodingByteLength(text: string, encoding: string): number;
  /** Buffer.compare of two whole ArrayBuffers: -1, 0 or 1. */
  encodingCompare(a: Bytes, b: Bytes): number;
  /** indexOf (lastIndexOf when `last`) of `value` in a whole ArrayBuffer, the other arguments as Node's Buffer takes them. */
  encodingIndexOf(
    data: Bytes,
    value: string | number | Bytes,
    byteOffset: number | string | undefined,
    encoding: string | undefined,
    last: boolean,
  ): number;
  /** The UTF-8 bytes of JSON.stringify(text). */
  encodingJsonQuoted(text: string): Bytes;
  encodingLabel(label: string): string;
  encodingDecode(data: Bytes, encoding: string, fatal: boolean, ignoreBOM: boolean): string;
  encodingAtob(data: string): string;
  encodingBtoa(data: string): string;

  // Hashes (executor/native/hash.ts): names and encodings are "" for none, output lengths -1. A part's
  // encoding is "" for a short plain string (hashed as its UTF-8 bytes), "bytes" for an ArrayBuffer,
  // else the string's; a key's kind is "plain" (the same), "utf8" (any string) or "bytes".
  hashNames(): string;
  hashCheck(algorithm: string, outputLength: number): void;
  hmacCheck(algorithm: string): void;
  /** `how` is "algorithm\noutputLength\nencoding". */
  hashOnce(how: string, ...parts: HashParts): Data;
  /** `how` is "algorithm\nkeyKind\nencoding". */
  hmacOnce(how: string, secret: Data | undefined, ...parts: HashParts): Data;
  /**
   * The environment's one HMAC setup: `how` ("algorithm\nplain\nencoding") and a plain key, named `id`,
   * replacing the one before; `hmacWith` is an HMAC of one short plain string under it, or undefined
   * when the host holds another (a restored snapshot holds none).
   */
  hmacSetup(id: number, how: string, secret: string): void;
  hmacWith(id: number, data: string): Data | undefined;
  hashCreate(algorithm: string, outputLength: number, ...parts: HashParts): number;
  hmacCreate(algorithm: string, secret: Data, secretKind: string, ...parts: HashParts): number;
  hashUpdate(id: number, ...parts: HashParts): void;
  hashDigest(id: number, encoding: string, ...parts: HashParts): Data;
  hashCopy(id: number, outputLength: number): number;
  hashFree(id: number): void;
  hashPbkdf2(password: unknown, salt: unknown, iterations: unknown, keylen: unknown, digest: unknown): Bytes;
  /**
   * pbkdf2's, scrypt's and hkdf's callback forms: the work starts on the host's thread pool (Node's
   * argument errors are thrown at once) and ends in `workSettled(id, ...)`, so the executor and the
   * invocation's deadline go on meanwhile, as in Node.
   */
  hashPbkdf2Start(id: number, password: unknown, salt: unknown, iterations: unknown, keylen: unknown, digest: unknown): void;
  hashScryptStart(id: number, password: unknown, salt: unknown, keylen: unknown, optionsJson: string): void;
  hashHkdfStart(id: number, digest: unknown, ikm: unknown, salt: unknown, info: unknown, keylen: unknown): void;
  hashHkdf(digest: unknown, ikm: unknown, salt: unknown, info: unknown, keylen: unknown): Bytes;
  hashScrypt(password: unknown, salt: unknown, keylen: unknown, optionsJson: string): Bytes;

  // Ciphers (executor/native/cipher.ts)
  cipherCreate(encrypt: boolean, algorithm: string, key: Data, iv: Data | undefined, authTagLength: number | undefined): number;
  cipherUpdate(id: number, data: Data, inputEncoding: string | undefined, outputEncoding: string | undefined): Data;
  /** Sealing with an AEAD cipher: the output and the tag. */
  cipherFinal(id: number, outputEncoding: string | undefined): Data | { output: Data; tag: Bytes };
  cipherSetAAD(id: number, aad: Bytes, plaintextLength: number | undefined): void;
  cipherSetAuthTag(id: number, tag: Bytes): void;
  cipherSetAutoPadding(id: number, padding: boolean): void;
  cipherFree(id: number): void;
  /** JSON, "" for an unknown cipher. */
  cipherInfo(nameOrNid: string | number, optionsJson: string): string;
  /** The host's getCiphers(), comma-separated: every one of them works through cipherCreate. */
  cipherNames(): string;
  cipherWeb(
    encrypt: boolean,
    name: string,
    key: Bytes,
    iv: Bytes,
    additionalData: Bytes | undefined,
    length: number | undefined,
    data: Bytes,
  ): Bytes;

  // Keys and signatures (executor/native/keys.ts): options as JSON; answers JSON, text or bytes.
  keyCreate(kind: string, input: Data | undefined, optionsJson: string): string;
  keyFree(id: number): void;
  keyExport(id: number, optionsJson: string): Data;
  keyEquals(a: number, b: number): boolean;
  keySign(algorithm: string, input: Data, id: number, optionsJson: string): Bytes;
  /** A string signature is read as `signatureEncoding` (base64, base64url, hex) when given, else as UTF-8. */
  keyVerify(algorithm: string, input: Data, id: number, signature: Data, optionsJson: string, signatureEncoding?: string): boolean;
  keyCrypt(op: string, id: number, input: Data, optionsJson: string): Bytes;
  keyGenerate(type: string, optionsJson: string): string;
  keyDigest(algorithm: string): void;
  keyDiffieHellman(privateId: number, publicId: number): Bytes;
  /** `curve` is absent for "curves", the list. */
  keyEcdh(op: string, curve?: string, privateKey?: Data, otherKey?: Data, format?: string): Data | undefined;

  // Diffie-Hellman and primes (executor/native/dh.ts): JSON and base64.
  dhCall(op: string, stateJson: string): string;
  primeGenerate(size: number, optionsJson: string): string;
  primeCheck(candidateBase64: string, checks: number): boolean;

  // X.509 (executor/native/x509.ts)
  x509Parse(input: Data): string;
  x509Call(op: string, der: Bytes, argument: Data | undefined, optionsJson: string): string | boolean | undefined;

  // zlib (executor/native/zlib.ts)
  zlibSync(kind: string, data: Data, optionsJson: string | undefined, dictionary: Bytes | undefined): Bytes;
  zlibOpen(kind: string, optionsJson: string | undefined, dictionary: Bytes | undefined): number;
  zlibWrite(id: number, chunk: Bytes | undefined, flush: number): Bytes;
  zlibParams(id: number, level: number, strategy: number): void;
  zlibReset(id: number): void;
  zlibClose(id: number): void;
  zlibConstants(): string;
  zlibCrc32(data: Data, value: number | undefined): number;

  // URL (executor/native/url.ts): a URL's parts joined by "\n", href first; undefined for an invalid input.
  urlParse(input: Data, base: Data | undefined): string | undefined;
  urlSet(href: string, part: string, value: Data): string;

  // Source maps (executor/native/source-map.ts)
  /** Frames' first-line columns counted in the file's own text; mapped to the original sources when `sourceMaps`. */
  mapStack(text: string, sourceMaps: boolean): string;
  firstLineShift(file: string): number;

  // Intl (executor/native/intl.ts): locales and options as JSON.
  intlCreate(kind: string, localesJson: string, optionsJson: string): number;
  /** undefined when the formatter was dropped; null for DisplayNames.of's "no name". */
  intlCall(id: number, method: string, a?: unknown, b?: unknown): string | number | null | undefined;
  intlStatic(op: string, a?: unknown, b?: unknown): string;
}

/** The function's settings as the guest's `configure` takes them (as JSON), at INIT. */
export interface GuestConfig {
  /** The handler setting, `dir/module.function`. */
  handler: string;
  functionName: string;
  functionVersion: string;
  memorySizeMB: number;
  /** process.env: Lambda's reserved variables and the function's own. */
  env: Record<string, string>;
  /** process.version, `v20.19.0` say. */
  nodeVersion: string;
  /** performance.timeOrigin, epoch milliseconds. */
  timeOrigin: number;
}

/** The guest's entry points, called by the host by name. */
export interface GuestEntries {
  /** GuestConfig as JSON, once at INIT: a booted spare waits before it knows its function. */
  configure(configJson: string): void;
  init(): void;
  /** The context's lines and the event, as shared/protocol.ts's wireInvocation writes them. */
  invoke(wire: string): void;
  beforeExit(): void;
  fireTimer(id: number): void;
  fetchSettled(id: number, ...settled: FetchSettled): void;
  /** Host work a guest call started (hashPbkdf2Start, ...): its error as JSON, or its bytes. */
  workSettled(id: number, errorJson: string | undefined, result: Bytes | undefined): void;
  /** A CommonJS module's (or a built-in's) export names, comma-separated, for an ES module facade. */
  exportNames(path: string): string;
  beforeSnapshot(): void;
  afterRestore(patchJson: string): void;
  /** Not a function: the box the guest leaves its log lines and a phase's answer in (guest/output-box.ts). */
  output: { value: string };
}
