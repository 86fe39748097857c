/**
 * The warm pool: idle execution environments per function version, reused for warm starts; an
 * invocation that finds none creates one (a cold start). One environment serves one invocation at
 * a time. Idle environments are evicted after an idle time, and least recently used first when
 * their memory and /tmp contents exceed a memory budget. Updating or deleting a function retires its
 * environments: idle ones at once, busy ones when their invocation ends.
 */
import os from "node:os";
import { LRUCache } from "lru-cache";
import type { Environment, EnvironmentConfig, InvocationType, InvokeOptions, InvokeResult, Sandbox } from "../sandbox/index.js";
import { LAMBDA_SCALING_RATE, ScalingBudget, type ScalingRate, ScalingThrottledError } from "./scaling.js";

export { ScalingThrottledError } from "./scaling.js";

export interface PooledResult extends InvokeResult {
  /** Set on a cold start: the INIT phase this invocation waited for. */
  initDurationMs?: number;
  /** Set on a SnapStart cold start instead of initDurationMs: the restore this invocation waited for. */
  restoreDurationMs?: number;
  /** The environment's log stream. */
  logStreamName: string;
  /** The largest memory the environment held so far (Lambda's Max Memory Used). */
  peakMemoryBytes: number;
  /** Ran in an on-demand environment although the version has provisioned concurrency. */
  spillover: boolean;
}

/** A version or alias with provisioned concurrency. */
export interface ProvisionedRef {
  functionName: string;
  qualifier: string;
}

/** Provisioned concurrency for one version or alias: environments initialised ahead of traffic, never evicted. */
interface Provisioned {
  ref: ProvisionedRef;
  config: EnvironmentConfig;
  requested: number;
  /** Environments serving an invocation now. */
  busy: number;
  /** Every environment it holds, busy or idle. */
  envs: Set<Environment>;
  /** Whether it was withdrawn: its environments end instead of going back. */
  withdrawn: boolean;
}

export interface ProvisionedStatus {
  allocated: number;
  status: "IN_PROGRESS" | "READY";
}

export interface ProvisionedUsage extends ProvisionedRef {
  busy: number;
  allocated: number;
}

export interface PoolOptions {
  /** How long an environment may stay idle; default 10 minutes. */
  idleTimeoutMs?: number;
  /** The memory all idle environments together may hold; default a quarter of the machine's memory. */
  memoryBudgetBytes?: number;
  /** How fast a function may add on-demand environments; Lambda's 1,000 every 10 seconds by default. */
  scalingRate?: ScalingRate;
}

const keyOf = (ref: ProvisionedRef) => `${ref.functionName}\0${ref.qualifier}`;

const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60 * 1000;
const PURGE_EVERY_MS = 1000;
/** Attempts of one invocation taken back from behind stalled executors before it is throttled. */
const TAKEN_BACK_MAX = 3;

export class WarmPool {
  readonly #sandbox: Sandbox;
  /** Every idle environment, by recency; the value is its version key. */
  readonly #idle: LRUCache<Environment, string>;
  /** Idle environments per version key, most recently parked last: a stack, so reuse is O(1). */
  readonly #byVersion = new Map<string, Environment[]>();
  readonly #provisioned = new Map<string, Provisioned>();
  /** Idle provisioned environments by version key; taken before any on-demand one. */
  readonly #provisionedIdle = new Map<string, Environment[]>();
  readonly #owner = new Map<Environment, Provisioned>();
  /** Provisioned configurations per version key: an on-demand environment for one of these is a spill-over. */
  readonly #provisionedVersions = new Map<string, number>();
  readonly #scaling: ScalingBudget;
  /** Bumped when a function is updated or deleted: environments of an older generation are not reused. */
  readonly #generations = new Map<string, number>();

  #disposed = false;

  /** Ends expired idle environments (lru-cache's own autopurge costs a timer per parked environment). */
  readonly #purge: NodeJS.Timeout;

  constructor(sandbox: Sandbox, options: PoolOptions = {}) {
    this.#sandbox = sandbox;
    this.#scaling = new ScalingBudget(options.scalingRate ?? LAMBDA_SCALING_RATE);
    const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.#idle = new LRUCache<Environment, string>({
      ttl: idleTimeoutMs,
      maxSize: options.memoryBudgetBytes ?? Math.floor(os.totalmem() / 4),
      // Its whole linear memory (16 MB at least, much of it never touched by a small handler): the
      // budget errs on the host's side, as Lambda reserves a whole MemorySize per environment.
      sizeCalculation: (_key, env) => Math.max(1, env.memoryBytes + env.tmpBytes),
      dispose: (versionKey, env, reason) => {
        // Taking an environment out to run it is a "delete"; only eviction and expiry end it.
        if (reason === "evict" || reason === "expire") this.#end(env, versionKey);
      },
    });
    // An environment ends at most a quarter of its idle time (or a second) after it expires.
    this.#purge = setInterval(() => this.#idle.purgeStale(), Math.min(PURGE_EVERY_MS, idleTimeoutMs / 4)).unref();
  }

  #generation(functionName: string): number {
    return this.#generations.get(functionName) ?? 0;
  }

  #end(env: Environment, versionKey: string): void {
    const idle = this.#byVersion.get(versionKey);
    const at = idle?.indexOf(env) ?? -1;
    if (at >= 0) idle?.splice(at, 1);
    env.dispose();
  }

  /**
   * An idle environment of the version, provisioned ones first, most recently used first; none means
   * a cold start. One whose executor is stalled in another invocation's long turn is passed over.
   */
  #takeIdle(config: EnvironmentConfig): Environment | undefined {
    const provisioned = this.#provisionedIdle.get(config.versionKey) ?? [];
    for (let at = provisioned.length - 1; at >= 0; at--) {
      const env = provisioned[at] as Environment;
      if (env.usable && env.executorStalled) continue;
      provisioned.splice(at, 1);
      const owner = this.#owner.get(env);
      if (env.usable && owner !== undefined) {
        owner.busy += 1;
        return env;
      }
      this.#replace(env);
    }
    const idle = this.#byVersion.get(config.versionKey) ?? [];
    for (let at = idle.length - 1; at >= 0; at--) {
      const env = idle[at] as Environment;
      if (env.usable && env.executorStalled) continue;
      idle.splice(at, 1);
      this.#idle.delete(env);
      if (env.usable) return env;
      env.dispose();
    }
    return undefined;
  }

  #coldStart(config: EnvironmentConfig): Promise<Environment> {
    this.#scaling.take(config.functionName);
    return this.#sandbox.createEnvironment(config);
  }

  /** SnapStart at PublishVersion: INIT once and the snapshot, before any environment of the version. */
  prepareSnapshot(config: EnvironmentConfig): ReturnType<Sandbox["prepareSnapshot"]> {
    return this.#sandbox.prepareSnapshot(config);
  }

  /** A version was deleted, or $LATEST changed in place: its SnapStart snapshots go. */
  dropSnapshots(functionName: string, version?: string): Promise<void> {
    return this.#sandbox.dropSnapshots(functionName, version);
  }

  async invoke(
    config: EnvironmentConfig,
    event: string,
    options: InvokeOptions & { invocationType?: InvocationType },
  ): Promise<PooledResult> {
    const generation = this.#generation(config.functionName);
    for (let attempt = 1; ; attempt++) {
      // A warm start takes its environment without waiting for anything.
      const idle = this.#takeIdle(config);
      const env = idle ?? (await this.#coldStart(config));
      let pooled: PooledResult | undefined;
      try {
        pooled = await this.#run(env, idle === undefined, config, event, options);
      } finally {
        this.#giveBack(env, config, generation);
      }
      if (pooled !== undefined) return pooled;
      // Taken back from behind stalled turns this often, every executor is busy spinning: throttled.
      if (attempt === TAKEN_BACK_MAX) throw new ScalingThrottledError(config.functionName);
    }
  }

  /** One attempt in `env`; undefined when the invocation was taken back before it started. */
  async #run(
    env: Environment,
    cold: boolean,
    config: EnvironmentConfig,
    event: string,
    options: InvokeOptions & { invocationType?: InvocationType },
  ): Promise<PooledResult | undefined> {
    const result = await env.invoke(event, options);
    if (result.takenBack) return undefined;
    const { requestId, payload, streamed, functionError, logs, durationMs, environmentGone } = result;
    return {
      requestId,
      payload,
      streamed,
      functionError,
      logs,
      durationMs,
      environmentGone,
      initDurationMs: cold && !env.restored ? env.initDurationMs : undefined,
      restoreDurationMs: cold && env.restored ? env.initDurationMs : undefined,
      logStreamName: env.logStreamName,
      peakMemoryBytes: env.peakMemoryBytes,
      spillover: !this.#owner.has(env) && this.#provisionedVersions.has(config.versionKey),
    };
  }

  /** An environment back from an invocation: to its provisioned set, idle, or ended. */
  #giveBack(env: Environment, config: EnvironmentConfig, generation: number): void {
    const owner = this.#owner.get(env);
    if (owner !== undefined) {
      owner.busy -= 1;
      this.#returnProvisioned(env, owner);
    } else if (!this.#disposed && env.usable && generation === this.#generation(config.functionName)) {
      const idle = this.#byVersion.get(config.versionKey) ?? [];
      idle.push(env);
      this.#byVersion.set(config.versionKey, idle);
      this.#park(env, config.versionKey);
      // Its memory is reported with the invocation's result: weigh the environment again then.
      env.onMemoryMeasured ??= () => {
        if (this.#idle.has(env)) this.#park(env, config.versionKey);
      };
    } else env.dispose();
  }

  #park(env: Environment, versionKey: string): void {
    this.#idle.set(env, versionKey);
    // An environment larger than the whole budget is not kept at all.
    if (!this.#idle.has(env)) this.#end(env, versionKey);
  }

  /**
   * PutProvisionedConcurrencyConfig: initialises `requested` environments of `config`'s version under
   * `key` (function + qualifier), replacing an earlier configuration; resolves when all are READY.
   */
  async provision(ref: ProvisionedRef, config: EnvironmentConfig, requested: number): Promise<void> {
    this.unprovision(ref);
    const entry: Provisioned = {
      ref,
      config: { ...config, initializationType: "provisioned-concurrency" },
      requested,
      busy: 0,
      envs: new Set(),
      withdrawn: false,
    };
    this.#provisioned.set(keyOf(ref), entry);
    this.#provisionedVersions.set(config.versionKey, (this.#provisionedVersions.get(config.versionKey) ?? 0) + 1);
    await Promise.all(Array.from({ length: requested }, () => this.#allocate(entry)));
  }

  async #allocate(entry: Provisioned): Promise<void> {
    const env = await this.#sandbox.createEnvironment(entry.config);
    if (entry.withdrawn || !env.usable) {
      env.dispose();
      return;
    }
    entry.envs.add(env);
    this.#owner.set(env, entry);
    this.#returnProvisioned(env, entry);
  }

  #returnProvisioned(env: Environment, entry: Provisioned): void {
    if (!entry.withdrawn && env.usable) {
      const idle = this.#provisionedIdle.get(entry.config.versionKey) ?? [];
      idle.push(env);
      this.#provisionedIdle.set(entry.config.versionKey, idle);
      return;
    }
    this.#replace(env);
  }

  /** Ends a provisioned environment; while its configuration stands, a new one takes its place. */
  #replace(env: Environment): void {
    const entry = this.#owner.get(env);
    this.#owner.delete(env);
    env.dispose();
    if (entry === undefined) return;
    entry.envs.delete(env);
    if (!entry.withdrawn) void this.#allocate(entry).catch(() => undefined);
  }

  unprovision(ref: ProvisionedRef): void {
    const key = keyOf(ref);
    const entry = this.#provisioned.get(key);
    if (entry === undefined) return;
    entry.withdrawn = true;
    this.#provisioned.delete(key);
    const versionKey = entry.config.versionKey;
    const configs = (this.#provisionedVersions.get(versionKey) ?? 1) - 1;
    if (configs > 0) this.#provisionedVersions.set(versionKey, configs);
    else this.#provisionedVersions.delete(versionKey);
    const idle = this.#provisionedIdle.get(entry.config.versionKey) ?? [];
    this.#provisionedIdle.set(
      entry.config.versionKey,
      idle.filter((env) => {
        if (this.#owner.get(env) !== entry) return true;
        this.#owner.delete(env);
        env.dispose();
        return false;
      }),
    );
  }

  provisionedStatus(ref: ProvisionedRef): ProvisionedStatus | undefined {
    const entry = this.#provisioned.get(keyOf(ref));
    if (entry === undefined) return undefined;
    return { allocated: entry.envs.size, status: entry.envs.size >= entry.requested ? "READY" : "IN_PROGRESS" };
  }

  /** Busy and allocated provisioned environments of every configuration, for metrics. */
  *provisionedUsage(): Generator<ProvisionedUsage> {
    for (const entry of this.#provisioned.values()) yield { ...entry.ref, busy: entry.busy, allocated: entry.envs.size };
  }

  /** A deleted function: its environments retire and its scaling bucket goes. */
  forget(functionName: string): void {
    this.retire(functionName);
    this.#scaling.forget(functionName);
  }

  /** Retires the environments of a function (all its versions) after an update or a delete. */
  retire(functionName: string): void {
    this.#generations.set(functionName, this.#generation(functionName) + 1);
    for (const [versionKey, envs] of this.#byVersion) {
      if (!versionKey.startsWith(`${functionName}:`)) continue;
      for (const env of envs) {
        this.#idle.delete(env);
        env.dispose();
      }
      this.#byVersion.delete(versionKey);
    }
  }

  /** False once dispose() has been called. */
  get alive(): boolean {
    return !this.#disposed;
  }

  /**
   * Ends every idle and provisioned environment; those running an invocation end when it does. The
   * sandbox is not the pool's: it is disposed by whoever started it.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    clearInterval(this.#purge);
    for (const entry of [...this.#provisioned.values()]) this.unprovision(entry.ref);
    for (const env of this.#idle.keys()) env.dispose();
    this.#idle.clear();
    this.#byVersion.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
