/**
 * The warm pool's first form: idle execution environments kept per function version and reused
 * (warm starts); a request that finds none creates one (a cold start). One environment serves one
 * invocation at a time. Limits, eviction and provisioned concurrency build on this.
 */
import type { Environment, EnvironmentConfig, InvokeOptions, InvokeResult, Sandbox } from "../sandbox/index.js";
import type { InvocationType } from "../sandbox/limits.js";

export interface PooledResult extends InvokeResult {
  /** Set on a cold start: the INIT phase this invocation waited for. */
  initDurationMs?: number;
}

export class WarmPool {
  readonly #sandbox: Sandbox;
  readonly #idle = new Map<string, Environment[]>();

  constructor(sandbox: Sandbox) {
    this.#sandbox = sandbox;
  }

  async #acquire(config: EnvironmentConfig): Promise<{ env: Environment; cold: boolean }> {
    const idle = this.#idle.get(config.versionKey) ?? [];
    for (let env = idle.pop(); env !== undefined; env = idle.pop()) {
      if (env.usable) return { env, cold: false };
      env.dispose();
    }
    return { env: await this.#sandbox.createEnvironment(config), cold: true };
  }

  async invoke(
    config: EnvironmentConfig,
    event: string,
    options: InvokeOptions & { invocationType?: InvocationType },
  ): Promise<PooledResult> {
    const { env, cold } = await this.#acquire(config);
    try {
      const result = await env.invoke(event, options);
      return cold ? { ...result, initDurationMs: env.initDurationMs } : result;
    } finally {
      if (env.usable) {
        const idle = this.#idle.get(config.versionKey) ?? [];
        idle.push(env);
        this.#idle.set(config.versionKey, idle);
      } else env.dispose();
    }
  }

  close(): void {
    for (const envs of this.#idle.values()) for (const env of envs) env.dispose();
    this.#idle.clear();
  }
}
