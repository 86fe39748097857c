/**
 * What Invoke reads of the registry on every request (the version, the alias, the code's
 * directory), kept in memory. Any request that can change the registry clears it when it ends,
 * so a cached answer is never older than the last control-plane call.
 */
import type { Alias, CodeStore, FunctionVersion, Registry } from "../registry/types.js";
import type { EnvironmentConfig } from "../sandbox/index.js";
import { type EnvironmentSettings, environmentConfig } from "./environment.js";
import type { Lookup } from "./resolve.js";

export class RegistryCache implements Lookup {
  readonly #versions = new Map<string, FunctionVersion>();
  readonly #aliases = new Map<string, Alias>();
  readonly #codeDirs = new Map<string, string>();
  /** Keyed by the cached version objects, so clear() drops these with them. */
  #configs = new WeakMap<FunctionVersion, EnvironmentConfig>();

  constructor(
    private readonly registry: Registry,
    private readonly code: CodeStore,
  ) {}

  getVersion(functionName: string, qualifier?: string): FunctionVersion | undefined {
    const key = `${functionName}\0${qualifier ?? "$LATEST"}`;
    let version = this.#versions.get(key);
    if (version === undefined) {
      version = this.registry.getVersion(functionName, qualifier);
      if (version !== undefined) this.#versions.set(key, version);
    }
    return version;
  }

  getAlias(functionName: string, aliasName: string): Alias | undefined {
    const key = `${functionName}\0${aliasName}`;
    let alias = this.#aliases.get(key);
    if (alias === undefined) {
      alias = this.registry.getAlias(functionName, aliasName);
      if (alias !== undefined) this.#aliases.set(key, alias);
    }
    return alias;
  }

  codeDir(codeSha256: string): string | undefined {
    let dir = this.#codeDirs.get(codeSha256);
    if (dir === undefined) {
      dir = this.code.get(codeSha256)?.dir;
      if (dir !== undefined) this.#codeDirs.set(codeSha256, dir);
    }
    return dir;
  }

  /** The environment configuration of a version this cache returned, made once. */
  environmentConfig(settings: EnvironmentSettings, version: FunctionVersion): EnvironmentConfig {
    let config = this.#configs.get(version);
    if (config === undefined) {
      config = environmentConfig(settings, version, (sha) => this.codeDir(sha));
      this.#configs.set(version, config);
    }
    return config;
  }

  clear(): void {
    this.#configs = new WeakMap();
    this.#versions.clear();
    this.#aliases.clear();
    this.#codeDirs.clear();
  }
}
