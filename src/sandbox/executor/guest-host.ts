/**
 * The capability object the guest runtime receives: the only doors from a QuickJS context to the
 * host. Each takes and returns plain values (strings, numbers, ArrayBuffers); none hands out a host
 * object. Module loading goes through PackageFiles, which confines it to the package and its
 * layers; `fs` goes through GuestFileSystem (the package and layers read-only, a private /tmp).
 */
import { randomBytes, randomFillSync, randomUUID } from "node:crypto";
import { isBuiltin } from "node:module";
import type { QuickJSContext, QuickJSHandle, QuickJSWASMModule, VmCallResult } from "quickjs-emscripten-core";
import { builtinSource } from "../shared/guest-bundle.js";
import type { HostCapabilities } from "../shared/guest-protocol.js";
import { withoutNul } from "./esm-loader.js";
import type { FsArgs, GuestFileSystem } from "./file-system.js";
import { FsError } from "./fs-errors.js";
import type { FetchMode } from "./host-fetch.js";
import { fillGuestBytes, newGuestBytes } from "./native/guest-heap.js";
import { bytesOf, guardedFunction, MAX_CALL_BYTES } from "./native/guest-values.js";
import { useDirectHostCalls } from "./native/host-calls.js";
import { type HostWork, nativeFunctions } from "./native/index.js";
import { hostString } from "./native/strings.js";
import { checkOutputBytes } from "./native/work-bounds.js";
import type { PackageFiles } from "./package-files.js";

export interface HostHooks {
  log(level: string, message: string): void;
  /** The guest's output box, flushed before the turn ends (src/sandbox/executor/guest-output.ts). */
  output(batch: string): void;
  timer(id: number, ms: number): void;
  clearTimer(id: number): void;
  timerRef(id: number, ref: boolean | undefined): boolean;
  timerRefresh(id: number): void;
  fetch(id: number, url: string, method: string, headersJson: string, body: Uint8Array | undefined, redirect: FetchMode): void;
  /** Host work (on Node's thread pool) whose bytes or error the guest gets later, through workSettled. */
  work: HostWork;
  /** A streaming handler's response: its content type (set before the first write), then its bytes. */
  streamContentType(contentType: string): void;
  streamWrite(chunk: Uint8Array): void;
  uncaught(errorJson: string): void;
  /** process.exit(status): the phase ends at once, and the environment with it. */
  exit(status: number): void;
  /** The phase must end (past its deadline, out of memory): the interrupt handler's answer. */
  shouldStop(): boolean;
}

/** The environment's memory as its host functions see it (memory-gate.ts). */
export interface GuestMemory {
  /** The function's MemorySize (none before INIT). */
  limitBytes(): number;
  /** Counts bytes the host holds for the guest beside its linear memory; false past the MemorySize. */
  hold(delta: number): boolean;
}

/** The bundled guest runtime as a script whose value is its boot function. */
export function bootstrapScript(bootstrap: string): string {
  return `(() => {${bootstrap}\nreturn __boot.default;})()`;
}

/**
 * Boots the guest runtime once in a throwaway runtime, so that V8 compiles QuickJS's hot wasm
 * code (parser, interpreter) before the first cold start instead of during it.
 */
export function warmUp(module: QuickJSWASMModule, bootstrap: string): void {
  const runtime = module.newRuntime();
  const ctx = runtime.newContext();
  ctx.evalCode(bootstrapScript(bootstrap), "isolambda:warm-up").dispose();
  ctx.dispose();
  runtime.dispose();
}

/**
 * Random bytes are drawn from the CSPRNG in blocks, as Node's randomUUID does: every restore
 * reseeds Math.random and handlers ask for UUIDs 16 bytes at a time. No byte is handed out twice.
 */
const RANDOM_BLOCK_BYTES = 4096;
let randomBlock = Buffer.alloc(0);
let randomUsed = 0;

function smallRandomBytes(size: number): Uint8Array {
  if (randomUsed + size > randomBlock.byteLength) {
    randomBlock = randomBytes(RANDOM_BLOCK_BYTES);
    randomUsed = 0;
  }
  const bytes = randomBlock.subarray(randomUsed, randomUsed + size);
  randomUsed += size;
  return bytes;
}

export type HostFunction = (...args: QuickJSHandle[]) => QuickJSHandle | VmCallResult<QuickJSHandle> | undefined;

/**
 * The host's side of the guest's capability object (shared/guest-protocol.ts): a host function of
 * the same name for each, taking one handle per argument the guest passes.
 */
export type HostImplementation = {
  [K in keyof HostCapabilities]: HostCapabilities[K] extends (...args: infer A) => unknown
    ? (...args: { [I in keyof A]-?: QuickJSHandle }) => ReturnType<HostFunction>
    : never;
};

/**
 * The host functions behind the capability object, bound to `ctx`. `files` and `fileSystem` give
 * the package and the environment's file system once INIT has set them: a spare runtime is booted
 * before it has either. A restored environment (SnapStart) binds them again, by name.
 */
export function hostFunctions(
  ctx: QuickJSContext,
  hooks: HostHooks,
  files: () => PackageFiles,
  fileSystem: () => GuestFileSystem,
  memory: GuestMemory,
): HostImplementation {
  const str = (h: QuickJSHandle | undefined): string => (h === undefined ? "" : ctx.getString(h));
  const num = (h: QuickJSHandle | undefined): number => (h === undefined ? 0 : ctx.getNumber(h));
  const bool = (h: QuickJSHandle | undefined): boolean => h !== undefined && Boolean(ctx.dump(h));
  const optionalString = (value: string | undefined): QuickJSHandle | undefined => (value === undefined ? undefined : ctx.newString(value));
  useDirectHostCalls(ctx);
  // What the host makes for the guest in one call, at most: its memory limit (none before INIT).
  const outputBytes = (): number => Math.min(memory.limitBytes(), MAX_CALL_BYTES);

  return {
    ...nativeFunctions(ctx, files, (id, bytes, start) => hooks.work(id, bytes, start), {
      outputBytes,
      timeIsUp: () => hooks.shouldStop(),
      hold: memory.hold,
    }),
    // The guest sends here the rare message its output box cannot carry (one holding NUL): read exactly.
    log: (level, message) => void hooks.log(str(level), message === undefined ? "" : hostString(ctx, message)),
    output: (batch) => void hooks.output(str(batch)),
    now: () => ctx.newNumber(performance.timeOrigin + performance.now()),
    shouldStop: () => (hooks.shouldStop() ? ctx.true : ctx.false),
    randomUUID: () => ctx.newString(randomUUID()),
    // node:crypto's randomBytes takes any size in one crossing (Web Crypto's 64 KiB quota is the
    // guest's getRandomValues' to keep), up to what the guest's memory could hold.
    random: guardedFunction(ctx, (n) => {
      const size = Math.max(0, Math.trunc(num(n)));
      checkOutputBytes(size, outputBytes(), "random bytes");
      // A large one is drawn where it stays, in the guest's heap: no host buffer, no copy.
      return size > RANDOM_BLOCK_BYTES
        ? fillGuestBytes(ctx, size, (room) => randomFillSync(room))
        : newGuestBytes(ctx, smallRandomBytes(size));
    }),
    builtin: (name) => {
      const source = builtinSource(str(name));
      if (source === undefined) return { error: ctx.newError(`No built-in named ${str(name)}`) };
      return ctx.newString(source);
    },
    evalScript: (code, filename) => ctx.evalCode(str(code), str(filename)),
    // require() of an ES module, as Node 20.19+ and 22.12+ allow: a module importing it runs at once
    // (QuickJS evaluates a graph without top-level await synchronously) and leaves its namespace
    // where the guest reads it. QuickJS caches the module, so a later `import` shares the instance.
    requireModule: (path) => {
      const code = `import * as ns from ${JSON.stringify(str(path))}; globalThis[Symbol.for("isolambda.requiredModule")] = ns;`;
      const result = ctx.evalCode(code, `isolambda:require:${str(path)}`, { type: "module" });
      if (result.error !== undefined) return result;
      using evaluated = result.value;
      const state = ctx.getPromiseState(evaluated);
      if (state.type === "rejected") return { error: state.error };
      if (state.type === "pending") {
        const error = ctx.newError(
          `require() cannot be used on an ESM graph with top-level await. Use import() instead.\n  From ${str(path)}`,
        );
        using code = ctx.newString("ERR_REQUIRE_ASYNC_MODULE");
        ctx.setProp(error, "code", code);
        return { error };
      }
      if (!state.notAPromise) state.value.dispose();
      return undefined;
    },
    resolve: (fromDir, specifier, mode) => {
      const spec = str(specifier);
      if (isBuiltin(spec)) return ctx.newString(`builtin:${spec.replace(/^node:/, "")}`);
      const found = files().resolve(str(fromDir), spec, str(mode) === "import" ? "import" : "require");
      return optionalString(found && `${found.format}:${found.path}`);
    },
    handlerModule: (modulePath) => {
      const found = files().handlerModule(str(modulePath));
      return optionalString(found && `${found.format}:${found.path}`);
    },
    // A module's source, for the guest to wrap and evaluate: it reaches QuickJS's parser through C strings.
    read: (path) => {
      const source = files().read(str(path));
      return optionalString(source === undefined ? undefined : withoutNul(source));
    },
    // One door for every fs operation: JSON arguments (and bytes to write) in; JSON `{value}` or
    // `{error}` out, or the bytes of a file read.
    fs: (op, args, bytes) => {
      let data: Uint8Array | undefined;
      if (bytes !== undefined && ctx.typeof(bytes) === "object") data = bytesOf(ctx, bytes);
      try {
        const answer = fileSystem().call(str(op), JSON.parse(str(args)) as FsArgs, data);
        if ("bytes" in answer) return newGuestBytes(ctx, answer.bytes);
        return ctx.newString(JSON.stringify({ value: answer.value }));
      } catch (error) {
        if (error instanceof FsError) return ctx.newString(JSON.stringify({ error: error.info }));
        return { error: ctx.newError(error instanceof Error ? error.message : String(error)) };
      }
    },
    timer: (id, ms) => void hooks.timer(num(id), num(ms)),
    clearTimer: (id) => void hooks.clearTimer(num(id)),
    timerRef: (id, ref) =>
      hooks.timerRef(num(id), ref === undefined || ctx.typeof(ref) === "undefined" ? undefined : bool(ref)) ? ctx.true : ctx.false,
    timerRefresh: (id) => void hooks.timerRefresh(num(id)),
    fetch: (id, url, method, headers, body, redirect) => {
      let bytes: Uint8Array | undefined;
      if (body !== undefined && ctx.typeof(body) === "object") bytes = bytesOf(ctx, body);
      const mode = str(redirect);
      hooks.fetch(num(id), str(url), str(method), str(headers), bytes, mode === "manual" || mode === "raw" ? mode : "follow");
    },
    uncaught: (errorJson) => void hooks.uncaught(str(errorJson)),
    exit: (status) => void hooks.exit(num(status)),
    streamContentType: (contentType) => void hooks.streamContentType(str(contentType)),
    streamWrite: (chunk) => {
      if (chunk === undefined) return;
      if (ctx.typeof(chunk) === "string") {
        hooks.streamWrite(Buffer.from(hostString(ctx, chunk)));
        return;
      }
      hooks.streamWrite(bytesOf(ctx, chunk));
    },
  } satisfies HostImplementation;
}

/** The capability object: one guest function per host function. */
export function createHostObject(ctx: QuickJSContext, functions: Record<string, HostFunction>): QuickJSHandle {
  const host = ctx.newObject();
  for (const [name, fn] of Object.entries(functions)) {
    using handle = ctx.newFunction(name, fn);
    ctx.setProp(host, name, handle);
  }
  return host;
}
