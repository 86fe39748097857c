/**
 * Provisioned concurrency: environments initialised ahead of traffic for a published version or an
 * alias, kept warm by the pool and counted against the function's reservation. The configurations
 * live in the registry; the pool holds their environments while the process runs.
 */
import type { ProvisionedStatus } from "../pool/index.js";
import type { ProvisionedConfig } from "../registry/types.js";
import type { EnvironmentConfig } from "../sandbox/index.js";
import type { FunctionRef } from "./arn.js";
import type { LambdaCore } from "./core.js";
import { environmentConfig } from "./environment.js";
import { LambdaError } from "./errors.js";
import { resolveFunction } from "./resolve.js";

/** A configuration's version or alias: a qualifier is required (the API refuses a request without one). */
export type ProvisionedTarget = Required<FunctionRef>;

/** A configuration with what the pool holds of it. */
export interface ProvisionedState extends ProvisionedStatus {
  config: ProvisionedConfig;
}

/** Lambda provisions published versions and aliases only; the function and qualifier must exist. */
function checkTarget(core: LambdaCore, target: ProvisionedTarget): void {
  if (target.qualifier === "$LATEST") {
    throw new LambdaError(
      "InvalidParameterValueException",
      "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
    );
  }
  resolveFunction(core, target);
}

/** Asks the pool for the configuration's environments (in the background: Status tells when they are READY). */
function provision(core: LambdaCore, config: ProvisionedConfig): void {
  const version = resolveFunction(core, { name: config.functionName, qualifier: config.qualifier }).version;
  let environment: EnvironmentConfig;
  try {
    environment = environmentConfig(core, version, (sha) => core.code.get(sha)?.dir);
  } catch (error) {
    // Code missing from the data directory: the configuration stays recorded, nothing can be initialised.
    console.error(`isolambda: cannot provision ${config.functionName}:${config.qualifier}: ${(error as Error).message}`);
    return;
  }
  core.invoker.pool
    .provision({ functionName: config.functionName, qualifier: config.qualifier }, environment, config.requested)
    .catch((error: unknown) => console.error(`isolambda: provisioning ${config.functionName}:${config.qualifier} failed:`, error));
}

/** At start: what the registry says is provisioned is initialised again. */
export function provisionAll(core: LambdaCore): void {
  for (const config of core.registry.listProvisioned()) {
    try {
      provision(core, config);
    } catch (error) {
      console.error(`isolambda: cannot provision ${config.functionName}:${config.qualifier}: ${(error as Error).message}`);
    }
  }
}

/**
 * PutProvisionedConcurrencyConfig: records the configuration, replacing the target's earlier one,
 * and starts its environments. With a reservation, the function's configurations together fit in it.
 */
export function putProvisioned(core: LambdaCore, target: ProvisionedTarget, requested: number): ProvisionedConfig {
  checkTarget(core, target);
  const reserved = core.registry.getReservedConcurrency(target.name);
  const others = core.registry
    .listProvisioned(target.name)
    .filter((p) => p.qualifier !== target.qualifier)
    .reduce((sum, p) => sum + p.requested, 0);
  if (reserved !== undefined && others + requested > reserved) {
    throw new LambdaError(
      "InvalidParameterValueException",
      "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function",
    );
  }
  const config = core.registry.putProvisioned(target.name, target.qualifier, requested);
  provision(core, config);
  return config;
}

/** GetProvisionedConcurrencyConfig. */
export function getProvisioned(core: LambdaCore, target: ProvisionedTarget): ProvisionedConfig {
  checkTarget(core, target);
  const config = core.registry.getProvisioned(target.name, target.qualifier);
  if (config === undefined)
    throw new LambdaError("ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function");
  return config;
}

/** DeleteProvisionedConcurrencyConfig: the configuration goes, and its environments with it. */
export function deleteProvisioned(core: LambdaCore, target: ProvisionedTarget): void {
  checkTarget(core, target);
  core.registry.deleteProvisioned(target.name, target.qualifier);
  core.invoker.pool.unprovision({ functionName: target.name, qualifier: target.qualifier });
}

/** How many of the configuration's environments are up: IN_PROGRESS until the pool has them all. */
export function provisionedState(core: LambdaCore, config: ProvisionedConfig): ProvisionedState {
  const status = core.invoker.pool.provisionedStatus({ functionName: config.functionName, qualifier: config.qualifier }) ?? {
    allocated: 0,
    status: "IN_PROGRESS",
  };
  return { config, ...status };
}

/** DeleteFunction: its provisioned environments go with it. */
export function unprovisionFunction(core: LambdaCore, functionName: string): void {
  for (const config of core.registry.listProvisioned(functionName))
    core.invoker.pool.unprovision({ functionName, qualifier: config.qualifier });
}
