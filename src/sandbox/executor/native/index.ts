/**
 * Node's bulk built-ins, run natively on the host side of the sandbox (as LLRT does beside QuickJS):
 * hashes, HMAC and key derivation, ciphers, keys and signatures, encodings, zlib. The guest calls
 * these host functions over plain bytes, strings and numbers only; state that outlives a call (a
 * streaming hash, a cipher, a key) lives in tables private to the environment, created with its
 * host functions and dropped with it, and the guest holds only an opaque number for it.
 */
import type { QuickJSContext } from "quickjs-emscripten-core";
import type { PackageFiles } from "../package-files.js";
import { cipherFunctions } from "./cipher.js";
import { dhFunctions } from "./dh.js";
import { encodingFunctions } from "./encoding.js";
import { hashFunctions } from "./hash.js";
import { intlFunctions } from "./intl.js";
import { keyFunctions } from "./keys.js";
import { sourceMapFunctions } from "./source-map.js";
import { urlFunctions } from "./url.js";
import type { WorkLimits } from "./work-bounds.js";
import { x509Functions } from "./x509.js";
import { zlibFunctions } from "./zlib.js";

/**
 * Host work the guest hears of later (through workSettled): its id, the bytes its arguments hold,
 * and what starts it, once a thread of the pool is free (host-jobs.ts).
 */
export type HostWork = (id: number, bytes: number, start: () => Promise<Uint8Array>) => void;

/**
 * `work` hands the environment host work that settles later (the guest hears of it through
 * workSettled); `limits` bound what one call may make and when long work may still start.
 */
export function nativeFunctions(ctx: QuickJSContext, files: () => PackageFiles, work: HostWork, limits: WorkLimits) {
  return {
    ...encodingFunctions(ctx),
    ...hashFunctions(ctx, work, limits),
    ...cipherFunctions(ctx),
    ...keyFunctions(ctx, limits),
    ...dhFunctions(ctx, limits),
    ...x509Functions(ctx),
    ...zlibFunctions(ctx, limits),
    ...sourceMapFunctions(ctx, files),
    ...intlFunctions(ctx),
    ...urlFunctions(ctx),
  };
}
