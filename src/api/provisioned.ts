/**
 * PutProvisionedConcurrencyConfig, GetProvisionedConcurrencyConfig, DeleteProvisionedConcurrencyConfig
 * and ListProvisionedConcurrencyConfigs: environments initialised ahead of traffic for a published
 * version or an alias, kept warm by the pool and counted against the function's reservation.
 */
import type { Hono } from "hono";
import { z } from "zod";
import { functionArn, parseFunctionName } from "../lambda/arn.js";
import { environmentConfig } from "../lambda/environment.js";
import { LambdaError } from "../lambda/errors.js";
import { resolveFunction } from "../lambda/resolve.js";
import type { ProvisionedConfig } from "../registry/types.js";
import type { EnvironmentConfig } from "../sandbox/index.js";
import type { ApiDeps } from "./deps.js";
import { jsonBody } from "./request.js";
import { parseBody } from "./validate.js";

const PutBody = z.object({ ProvisionedConcurrentExecutions: z.number().int().min(1, "Member must have value greater than or equal to 1") });

/** Asks the pool for the configuration's environments (in the background: Status tells when they are READY). */
export function provision(deps: ApiDeps, config: ProvisionedConfig): void {
  const version = resolveFunction(deps, { name: config.functionName, qualifier: config.qualifier }).version;
  let environment: EnvironmentConfig;
  try {
    environment = environmentConfig(deps, version, (sha) => deps.code.get(sha)?.dir);
  } catch (error) {
    // Code missing from the data directory: the configuration stays recorded, nothing can be initialised.
    console.error(`isolambda: cannot provision ${config.functionName}:${config.qualifier}: ${(error as Error).message}`);
    return;
  }
  deps.invoker.pool
    .provision({ functionName: config.functionName, qualifier: config.qualifier }, environment, config.requested)
    .catch((error: unknown) => console.error(`isolambda: provisioning ${config.functionName}:${config.qualifier} failed:`, error));
}

/** At start: what the registry says is provisioned is initialised again. */
export function provisionAll(deps: ApiDeps): void {
  for (const config of deps.registry.listProvisioned()) {
    try {
      provision(deps, config);
    } catch (error) {
      console.error(`isolambda: cannot provision ${config.functionName}:${config.qualifier}: ${(error as Error).message}`);
    }
  }
}

function toWire(deps: ApiDeps, config: ProvisionedConfig, withArn: boolean): Record<string, unknown> {
  const status = deps.invoker.pool.provisionedStatus({ functionName: config.functionName, qualifier: config.qualifier }) ?? {
    allocated: 0,
    status: "IN_PROGRESS",
  };
  return {
    ...(withArn ? { FunctionArn: functionArn(deps, config.functionName, config.qualifier) } : {}),
    RequestedProvisionedConcurrentExecutions: config.requested,
    AvailableProvisionedConcurrentExecutions: status.allocated,
    AllocatedProvisionedConcurrentExecutions: status.allocated,
    Status: status.status,
    LastModified: config.lastModified,
  };
}

export function mountProvisioned(app: Hono, deps: ApiDeps): void {
  const path = "/2019-09-30/functions/:name/provisioned-concurrency";
  const target = (rawName: string, qualifier: string | undefined) => {
    const ref = parseFunctionName(rawName, qualifier);
    if (ref.qualifier === undefined)
      throw new LambdaError(
        "ValidationException",
        "1 validation error detected: Value null at 'qualifier' failed to satisfy constraint: Member must not be null",
      );
    if (ref.qualifier === "$LATEST") {
      throw new LambdaError(
        "InvalidParameterValueException",
        "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
      );
    }
    resolveFunction(deps, ref);
    return { name: ref.name, qualifier: ref.qualifier };
  };

  app.put(path, async (c) => {
    const body = parseBody(PutBody, await jsonBody(c));
    const { name, qualifier } = target(c.req.param("name"), c.req.query("Qualifier"));
    const reserved = deps.registry.getReservedConcurrency(name);
    const others = deps.registry
      .listProvisioned(name)
      .filter((p) => p.qualifier !== qualifier)
      .reduce((sum, p) => sum + p.requested, 0);
    if (reserved !== undefined && others + body.ProvisionedConcurrentExecutions > reserved) {
      throw new LambdaError(
        "InvalidParameterValueException",
        "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function",
      );
    }
    const config = deps.registry.putProvisioned(name, qualifier, body.ProvisionedConcurrentExecutions);
    provision(deps, config);
    return c.json(toWire(deps, config, false), 202);
  });

  app.get(path, (c) => {
    if (c.req.query("List") === "ALL") {
      const { name } = parseFunctionName(c.req.param("name"));
      return c.json({ ProvisionedConcurrencyConfigs: deps.registry.listProvisioned(name).map((p) => toWire(deps, p, true)) });
    }
    const { name, qualifier } = target(c.req.param("name"), c.req.query("Qualifier"));
    const config = deps.registry.getProvisioned(name, qualifier);
    if (config === undefined)
      throw new LambdaError("ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function");
    return c.json(toWire(deps, config, false));
  });

  app.delete(path, (c) => {
    const { name, qualifier } = target(c.req.param("name"), c.req.query("Qualifier"));
    deps.registry.deleteProvisioned(name, qualifier);
    deps.invoker.pool.unprovision({ functionName: name, qualifier });
    return c.body(null, 204);
  });
}

/** DeleteFunction: its provisioned environments go with it. */
export function unprovisionFunction(deps: ApiDeps, functionName: string): void {
  for (const config of deps.registry.listProvisioned(functionName))
    deps.invoker.pool.unprovision({ functionName, qualifier: config.qualifier });
}
