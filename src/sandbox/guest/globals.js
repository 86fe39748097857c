// The globals a Lambda Node.js handler expects, built inside the sandbox. Nothing here hands
// out a host object: every capability is a narrow host function taking and returning plain values.
import { defineLazy } from "./lazy.js";

function installCrypto(host, builtin) {
  const getRandomValues = (array) => {
    if (!ArrayBuffer.isView(array) || array instanceof Float32Array || array instanceof Float64Array) {
      throw new TypeError("The data argument must be an integer-type TypedArray");
    }
    // Web Crypto's QuotaExceededError threshold.
    if (array.byteLength > 65536) throw new RangeError(`The ArrayBufferView's byte length (${array.byteLength}) exceeds 65536`);
    new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(new Uint8Array(host.random(array.byteLength)));
    return array;
  };
  const randomUUID = () => {
    const b = new Uint8Array(host.random(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
  const webcrypto = { getRandomValues, randomUUID };
  // SubtleCrypto lives in the crypto bundle: only a handler that touches crypto.subtle pays for it.
  let subtle;
  Object.defineProperty(webcrypto, "subtle", {
    enumerable: true,
    get: () => {
      subtle ??= builtin("crypto").createSubtle(getRandomValues, builtin);
      return subtle;
    },
  });
  globalThis.crypto = webcrypto;
  return webcrypto;
}

/** process and performance: they carry the function's configuration, so they are set at INIT. */
export function installProcess(host, builtin, config) {
  const startedAt = host.now();
  const hrtime = (previous) => {
    const ns = BigInt(Math.round(host.now() * 1e6));
    const now = [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
    if (!previous) return now;
    const diff = (now[0] - previous[0]) * 1e9 + (now[1] - previous[1]);
    return [Math.floor(diff / 1e9), diff % 1e9];
  };
  hrtime.bigint = () => BigInt(Math.round(host.now() * 1e6));
  globalThis.process = {
    env: config.env,
    version: config.nodeVersion,
    versions: { node: config.nodeVersion.slice(1) },
    platform: "linux",
    arch: "x64",
    pid: 1,
    argv: ["/var/lang/bin/node", "/var/runtime/index.mjs"],
    execArgv: [],
    cwd: () => "/var/task",
    uptime: () => (host.now() - startedAt) / 1000,
    hrtime,
    nextTick: (fn, ...args) => queueMicrotask(() => fn(...args)),
    emitWarning: () => {},
    on() {
      return this;
    },
    once() {
      return this;
    },
    off() {
      return this;
    },
    removeListener() {
      return this;
    },
    // Object.prototype.toString gives "[object process]" in Node; libraries test it to know they run
    // in Node (axios picks its http adapter over fetch that way).
    [Symbol.toStringTag]: "process",
  };
  // Lambda keeps what is written to stdout and stderr as is, without console's prefix.
  for (const [name, fd] of [
    ["stdout", 1],
    ["stderr", 2],
  ]) {
    let stream;
    Object.defineProperty(globalThis.process, name, {
      enumerable: true,
      get: () => {
        stream ??= builtin("stdio").createOutput(fd, (text) => host.log("", text));
        return stream;
      },
    });
  }
  globalThis.performance = { now: () => host.now() - config.timeOrigin, timeOrigin: config.timeOrigin };
}

export function installGlobals(host, builtin) {
  globalThis.global = globalThis;
  const webcrypto = installCrypto(host, builtin);
  defineLazy("Buffer", () => builtin("buffer").Buffer);
  defineLazy("TextEncoder", () => builtin("encoding").utf8Encoder(builtin));
  defineLazy("TextDecoder", () => builtin("encoding").utf8Decoder(builtin));
  defineLazy("URL", () => builtin("url").URL);
  defineLazy("URLSearchParams", () => builtin("url").URLSearchParams);
  for (const name of ["AbortController", "AbortSignal", "EventTarget", "Event"]) defineLazy(name, () => builtin("abort")?.[name]);
  defineLazy("structuredClone", () => {
    const { serialize, deserialize } = builtin("structured-clone");
    return (value, options) => deserialize(serialize(value, options));
  });
  globalThis.btoa = (data) => {
    const text = String(data);
    if (/[^\0-\xff]/.test(text)) throw Object.assign(new Error("Invalid character"), { name: "InvalidCharacterError" });
    return builtin("buffer").Buffer.from(text, "latin1").toString("base64");
  };
  globalThis.atob = (data) => {
    const text = String(data).replace(/[\t\n\f\r ]/g, "");
    if (text.length % 4 === 1 || /[^A-Za-z0-9+/=]/.test(text)) {
      throw Object.assign(new Error("The string to be decoded is not correctly encoded."), { name: "InvalidCharacterError" });
    }
    return builtin("buffer").Buffer.from(text, "base64").toString("latin1");
  };
  return { webcrypto };
}
