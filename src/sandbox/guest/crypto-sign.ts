// node:crypto's Sign and Verify (createSign, createVerify): they collect what update() gives and
// cross to the host once, at sign() or verify(). Part of the crypto-keys bundle.
import type { Data, HostCapabilities } from "../shared/guest-protocol.js";
import { Buffer, call, dataArgument, encoded, nodeError, received } from "./crypto-key-args.js";
import { isPlainText } from "./host-values.js";
import { streamOnUse } from "./stream-on-use.js";

/** What Sign and Verify hand the host: the collected data, a plain string as it is. */
export interface SignParts {
  signBytes(algorithm: string, data: Data, key: unknown): Buffer;
  verifyBytes(algorithm: string, data: Data, key: unknown, signature: Data, signatureEncoding?: string): boolean;
}

/** Text this short crosses as it is when plain (host-values.ts): a JWT's signing input is not made bytes here. */
const PLAIN_BELOW = 64 * 1024;
const isUtf8 = (encoding: unknown) => encoding === undefined || encoding === "utf8" || encoding === "utf-8";
/** Signature encodings the host decodes from a plain string, as Buffer.from would. */
const SIGNATURE_ENCODINGS = new Set(["base64", "base64url", "hex"]);

export function createSignClasses(host: HostCapabilities, { signBytes, verifyBytes }: SignParts) {
  /** Digest names the host has accepted: each is checked once, not at every createSign. */
  const checked = new Set<string>();

  class Collector {
    #algorithm: string;
    #chunks: (Uint8Array | string)[] = [];
    #done = false;
    // Set on the prototype below; node:stream's Writable calls it once the collector is used as one (stream-on-use.ts).
    declare _write: (chunk: Uint8Array | string, encoding: string, callback: () => void) => void;
    constructor(algorithm: unknown) {
      if (typeof algorithm !== "string") {
        throw nodeError(
          TypeError,
          "ERR_INVALID_ARG_TYPE",
          `The "algorithm" argument must be of type string. Received ${received(algorithm)}`,
        );
      }
      if (!checked.has(algorithm)) {
        call(host.keyDigest, algorithm);
        checked.add(algorithm);
      }
      this.#algorithm = algorithm;
    }
    update(data: unknown, encoding?: string): this {
      if (this.#done) throw nodeError(Error, "ERR_CRYPTO_SIGN_KEY_REQUIRED", "No key provided to sign");
      if (typeof data === "string" && isUtf8(encoding) && isPlainText(data, PLAIN_BELOW)) this.#chunks.push(data);
      else this.#chunks.push(new Uint8Array(dataArgument(data, "data", encoding)));
      return this;
    }
    finish(): { algorithm: string; data: Data } {
      this.#done = true;
      const chunks = this.#chunks;
      this.#chunks = [];
      const only = chunks[0];
      if (chunks.length === 1 && typeof only === "string") return { algorithm: this.#algorithm, data: only };
      const parts = chunks.map((chunk) => (typeof chunk === "string" ? Buffer.from(chunk) : chunk));
      const all = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
      let offset = 0;
      for (const part of parts) {
        all.set(part, offset);
        offset += part.length;
      }
      return { algorithm: this.#algorithm, data: all.buffer as ArrayBuffer };
    }
  }
  class Sign extends Collector {
    sign(privateKey: unknown, outputEncoding?: string): string | Buffer {
      const { algorithm, data } = this.finish();
      return encoded(signBytes(algorithm, data, privateKey), outputEncoding);
    }
  }
  class Verify extends Collector {
    verify(publicKey: unknown, signature: unknown, signatureEncoding?: string): boolean {
      const { algorithm, data } = this.finish();
      // A signature in text crosses as it is, for the host to decode as Buffer.from would.
      if (typeof signature === "string" && SIGNATURE_ENCODINGS.has(signatureEncoding as string) && isPlainText(signature, PLAIN_BELOW)) {
        return verifyBytes(algorithm, data, publicKey, signature, signatureEncoding);
      }
      return verifyBytes(algorithm, data, publicKey, dataArgument(signature, "signature", signatureEncoding));
    }
  }
  // Sign and Verify are Writable streams in Node (written to, or piped into, before sign()/verify()).
  streamOnUse(Collector, "Writable");
  Collector.prototype._write = function (chunk, encoding, callback) {
    this.update(chunk, encoding === "buffer" ? undefined : encoding);
    callback();
  };
  return { Sign, Verify };
}
