/**
 * One execution environment running a WebAssembly component: an instance of the component,
 * made at INIT, whose `handle` export serves one invocation at a time. It offers the executor the
 * surface of the QuickJS environment (invoke, busy, memoryBytes, tmpBytes, dispose) and the same
 * PhaseOutcome results. A component runs synchronously: the deadline of a call that never
 * returns is enforced by the main thread, which terminates the executor (executor.ts).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { LogBuffer } from "../executor/log-buffer.js";
import type { PhaseOutcome } from "../executor/phase.js";
import { exitError, outOfMemory, responseTooLarge, timedOut } from "../shared/errors.js";
import { lambdaEnvironment } from "../shared/lambda-env.js";
import { MiB, RESPONSE_MAX_BYTES } from "../shared/limits.js";
import { readWireInvocation, type WireInvokeContext } from "../shared/protocol.js";
import type { EnvironmentConfig, FunctionError } from "../shared/types.js";
import { type ComponentCache, componentFile, ENTRY_MODULE, RUNTIME_INTERFACE } from "./cache.js";
import { limitMemories, MemoryLimitError, WASM_PAGE_BYTES } from "./memory-limit.js";
import { wasiImports } from "./wasi.js";

/** The handler world's invocation-context record, as jco lowers it. */
interface WitContext {
  requestId: string;
  invokedFunctionArn: string;
  functionName: string;
  functionVersion: string;
  memoryLimitInMb: number;
  deadlineMs: bigint;
  logGroupName: string;
  logStreamName: string;
  traceId?: string;
  clientContext?: string;
  identity?: string;
}

type Handle = (event: string, context: WitContext) => string;
type Instantiate = (
  getCoreModule: (name: string) => Promise<WebAssembly.Module>,
  imports: Record<string, Record<string, unknown>>,
  instantiateCore: (module: WebAssembly.Module, imports: WebAssembly.Imports) => Promise<WebAssembly.Instance>,
) => Promise<{ handle: Handle }>;

/** wasi:cli/exit unwinds the component with this. */
class ComponentExit extends Error {
  constructor(readonly code: number) {
    super(`exit status ${code}`);
  }
}

/** A trap this close to the memory limit is the allocator failing to grow: Lambda's out-of-memory kill. */
const OUT_OF_MEMORY_MARGIN_BYTES = 1 * MiB;

/** Core modules compiled in this executor, by file and memory limit: environments of a version share them. */
const compiled = new Map<string, Promise<WebAssembly.Module>>();

function coreModule(dir: string, name: string, maxPages: number): Promise<WebAssembly.Module> {
  const key = `${path.join(dir, name)}@${maxPages}`;
  let module = compiled.get(key);
  if (module === undefined) {
    module = readFile(path.join(dir, name)).then((bytes) => WebAssembly.compile(limitMemories(bytes, maxPages)));
    module.catch(() => compiled.delete(key));
    compiled.set(key, module);
  }
  return module;
}

function functionError(value: unknown, requestId: string): FunctionError {
  const e = (typeof value === "object" && value !== null ? value : {}) as Partial<FunctionError>;
  if (typeof e.errorType !== "string" || typeof e.errorMessage !== "string") {
    return exitError(requestId, "the component returned an error that is not a function-error");
  }
  return { errorType: e.errorType, errorMessage: e.errorMessage, trace: Array.isArray(e.trace) ? e.trace.map(String) : [] };
}

export class ComponentEnvironment {
  readonly #config: EnvironmentConfig;
  readonly #streamName: string;
  readonly #memories: WebAssembly.Memory[] = [];
  #handle: Handle | undefined;
  #log: LogBuffer | undefined;
  #deadline = 0;
  #gone = false;

  private constructor(config: EnvironmentConfig, streamName: string) {
    this.#config = config;
    this.#streamName = streamName;
  }

  /** Transpiles the component if no executor has, and instantiates it: the INIT phase. */
  static async create(
    config: EnvironmentConfig,
    cache: ComponentCache,
    streamName: string,
  ): Promise<{ env: ComponentEnvironment; init: PhaseOutcome }> {
    const env = new ComponentEnvironment(config, streamName);
    const log = new LogBuffer("undefined");
    const started = performance.now();
    env.#log = log;
    let init: PhaseOutcome;
    try {
      const dir = await cache.prepare(componentFile(config.codeDir, config.handler));
      const { instantiate } = (await import(pathToFileURL(path.join(dir, ENTRY_MODULE)).href)) as { instantiate: Instantiate };
      const maxPages = (config.memorySizeMB * MiB) / WASM_PAGE_BYTES;
      const instance = await instantiate(
        (name) => coreModule(dir, name, maxPages),
        env.#imports(),
        (module, imports) => env.#instantiateCore(module, imports),
      );
      env.#handle = instance.handle;
      init = { ok: true, payload: "null", logs: log.text(), durationMs: performance.now() - started, gone: false };
    } catch (error) {
      env.#gone = true;
      const failure =
        error instanceof MemoryLimitError ? outOfMemory("undefined") : exitError("undefined", `INIT failed: ${String(error)}`);
      init = { ok: false, payload: JSON.stringify(failure), logs: log.text(), durationMs: performance.now() - started, gone: true };
    }
    env.#log = undefined;
    return { env, init };
  }

  async #instantiateCore(module: WebAssembly.Module, imports: WebAssembly.Imports): Promise<WebAssembly.Instance> {
    const instance = await WebAssembly.instantiate(module, imports);
    for (const value of Object.values(instance.exports)) {
      if (value instanceof WebAssembly.Memory && !this.#memories.includes(value)) this.#memories.push(value);
    }
    return instance;
  }

  #imports(): Record<string, Record<string, unknown>> {
    const { NODE_PATH: _nodeOnly, ...env } = lambdaEnvironment(this.#config, this.#streamName);
    return {
      ...wasiImports({
        env,
        write: (text) => this.#log?.write("", text),
        exit: (code) => {
          throw new ComponentExit(code);
        },
      }),
      [RUNTIME_INTERFACE]: {
        log: (level: string, message: string) => this.#log?.write(level.toUpperCase(), message),
        remainingTimeMs: () => BigInt(Math.max(0, this.#deadline - Date.now())),
      },
    };
  }

  /** As the executor receives an invocation (src/sandbox/shared/protocol.ts). */
  invokeWire(wire: string): Promise<PhaseOutcome> {
    const [context, event] = readWireInvocation(wire);
    return this.invoke(event, context);
  }

  /** Async only for the executor's sake: the call itself runs to its end before this returns. */
  async invoke(event: string, context: WireInvokeContext): Promise<PhaseOutcome> {
    const { requestId } = context;
    const handle = this.#handle;
    if (this.#gone || handle === undefined) {
      return this.#outcome(false, exitError(requestId, "environment is gone"), 0, true);
    }
    const started = performance.now();
    this.#log = new LogBuffer(requestId);
    this.#deadline = context.deadline;
    try {
      const payload = handle(event, this.#witContext(context));
      const elapsed = performance.now() - started;
      // Lambda ends an invocation at its deadline, whatever the handler does after it.
      if (Date.now() > context.deadline) return this.#outcome(false, this.#timedOut(requestId), elapsed, true);
      const bytes = Buffer.byteLength(payload);
      if (bytes > RESPONSE_MAX_BYTES) return this.#outcome(false, responseTooLarge(bytes, RESPONSE_MAX_BYTES), elapsed, false);
      return { ok: true, payload, logs: this.#log.text(), durationMs: elapsed, gone: false };
    } catch (error) {
      const elapsed = performance.now() - started;
      // The `err` of handle's result, thrown as the value itself; anything else is a trap or a host error.
      if (typeof error === "object" && error !== null && !(error instanceof Error)) {
        return this.#outcome(false, functionError(error, requestId), elapsed, false);
      }
      // A trap or an exit leaves the instance unusable: Lambda starts a new environment.
      return this.#outcome(false, this.#crash(error, requestId), elapsed, true);
    } finally {
      this.#log = undefined;
    }
  }

  #crash(error: unknown, requestId: string): FunctionError {
    if (Date.now() > this.#deadline) return this.#timedOut(requestId);
    if (error instanceof ComponentExit) return exitError(requestId, error.message);
    if (this.memoryBytes + OUT_OF_MEMORY_MARGIN_BYTES >= this.#config.memorySizeMB * MiB) return outOfMemory(requestId);
    const message = error instanceof Error ? error.message : String(error);
    return exitError(requestId, error instanceof WebAssembly.RuntimeError ? `wasm trap: ${message}` : message);
  }

  #timedOut(requestId: string): FunctionError {
    return timedOut(requestId, this.#config.timeoutSeconds * 1000);
  }

  #outcome(ok: boolean, error: FunctionError, durationMs: number, gone: boolean): PhaseOutcome {
    if (gone) this.#gone = true;
    return { ok, payload: JSON.stringify(error), logs: this.#log?.text() ?? "", durationMs, gone: this.#gone };
  }

  #witContext(context: WireInvokeContext): WitContext {
    const config = this.#config;
    const json = (value: unknown) => (value === undefined ? undefined : JSON.stringify(value));
    return {
      requestId: context.requestId,
      invokedFunctionArn: context.invokedFunctionArn,
      functionName: config.functionName,
      functionVersion: config.functionVersion,
      memoryLimitInMb: config.memorySizeMB,
      deadlineMs: BigInt(context.deadline),
      logGroupName: `/aws/lambda/${config.functionName}`,
      logStreamName: this.#streamName,
      traceId: context.traceId,
      clientContext: json(context.clientContext),
      identity: json(context.identity),
    };
  }

  /** An invocation or INIT is running (never seen between messages: a call runs to its end). */
  get busy(): boolean {
    return this.#log !== undefined;
  }

  /** The component's linear memories: what Max Memory Used reports. */
  get memoryBytes(): number {
    return this.#memories.reduce((sum, memory) => sum + memory.buffer.byteLength, 0);
  }

  /** A component has no /tmp: its file system has no directory. */
  get tmpBytes(): number {
    return 0;
  }

  dispose(): void {
    this.#gone = true;
    this.#handle = undefined;
    this.#memories.length = 0;
  }
}
