/**
 * Each function's own temporary credentials, as Lambda injects its execution role's session into
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. They are derived, not stored: the
 * session token names the function and its role and carries an HMAC under a key kept in the data
 * directory, so the API recognizes them without a lookup, and a function restored from a SnapStart
 * snapshot after a restart still holds valid ones.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LRUCache } from "lru-cache";
import type { CredentialMinter, FunctionCaller } from "../../lambda/environment.js";
import type { AwsCredentials } from "../../sandbox/index.js";

const TOKEN_PREFIX = "isolambda1.";
const KEY_FILE = "function-credentials.key";

/** The key in the data directory, made on first use; unreadable to other users. */
function keyOf(dataDir: string): Buffer {
  const file = path.join(dataDir, KEY_FILE);
  try {
    writeFileSync(file, randomBytes(32), { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return readFileSync(file);
}

export class FunctionCredentials implements CredentialMinter {
  readonly #key: Buffer;
  /** Tokens already checked: two HMACs cost ~15 µs, and a function sends its token with every call. Only valid ones are kept. */
  /** Minted per configuration an environment is made from (Event invocations make one each). */
  readonly #minted = new LRUCache<string, AwsCredentials>({ max: 10_000 });
  readonly #known = new LRUCache<string, FunctionCaller & { accessKeyId: string }>({ max: 10_000 });

  constructor(dataDir: string) {
    this.#key = keyOf(dataDir);
  }

  #mac(purpose: string, text: string): Buffer {
    return createHmac("sha256", this.#key).update(`${purpose}\0${text}`).digest();
  }

  /** An access key id in AWS's temporary-credential form: ASIA and 16 more characters. */
  #accessKeyIdOf(payload: string): string {
    return `ASIA${this.#mac("access-key-id", payload).toString("hex").slice(0, 16).toUpperCase()}`;
  }

  secretAccessKeyOf(accessKeyId: string): string {
    return this.#mac("secret", accessKeyId).toString("base64").slice(0, 40);
  }

  /** The credentials a function's environments get. */
  mint(caller: FunctionCaller): AwsCredentials {
    const key = JSON.stringify([caller.functionName, caller.role]);
    let minted = this.#minted.get(key);
    if (minted === undefined) {
      minted = this.#derive(caller);
      this.#minted.set(key, minted);
    }
    return minted;
  }

  #derive(caller: FunctionCaller): AwsCredentials {
    const payload = Buffer.from(JSON.stringify([caller.functionName, caller.role])).toString("base64url");
    const accessKeyId = this.#accessKeyIdOf(payload);
    return {
      accessKeyId,
      secretAccessKey: this.secretAccessKeyOf(accessKeyId),
      sessionToken: `${TOKEN_PREFIX}${payload}.${this.#mac("session-token", payload).toString("base64url")}`,
    };
  }

  /** The function a session token was minted for, or undefined for anything else. */
  callerOf(sessionToken: string): (FunctionCaller & { accessKeyId: string }) | undefined {
    if (!sessionToken.startsWith(TOKEN_PREFIX)) return undefined;
    const known = this.#known.get(sessionToken);
    if (known !== undefined) return known;
    const [payload, mac, ...rest] = sessionToken.slice(TOKEN_PREFIX.length).split(".");
    if (payload === undefined || mac === undefined || rest.length > 0) return undefined;
    const expected = this.#mac("session-token", payload);
    const given = Buffer.from(mac, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const [functionName, role] = JSON.parse(Buffer.from(payload, "base64url").toString()) as [string, string];
    const caller = { functionName, role, accessKeyId: this.#accessKeyIdOf(payload) };
    this.#known.set(sessionToken, caller);
    return caller;
  }
}
