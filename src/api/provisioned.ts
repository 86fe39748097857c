/**
 * PutProvisionedConcurrencyConfig, GetProvisionedConcurrencyConfig, DeleteProvisionedConcurrencyConfig
 * and ListProvisionedConcurrencyConfigs under Lambda's REST paths; the rules are src/lambda/provisioned.ts's.
 */
import type { Hono } from "hono";
import { z } from "zod";
import { functionArn, parseFunctionName } from "../lambda/arn.js";
import { LambdaError } from "../lambda/errors.js";
import { deleteProvisioned, getProvisioned, type ProvisionedTarget, provisionedState, putProvisioned } from "../lambda/provisioned.js";
import type { ProvisionedConfig } from "../registry/types.js";
import type { ApiDeps } from "./deps.js";
import { jsonBody } from "./request.js";
import { parseBody } from "./validate.js";

const PutBody = z.object({ ProvisionedConcurrentExecutions: z.number().int().min(1, "Member must have value greater than or equal to 1") });

function toWire(deps: ApiDeps, config: ProvisionedConfig, withArn: boolean): Record<string, unknown> {
  const { allocated, status } = provisionedState(deps, config);
  return {
    ...(withArn ? { FunctionArn: functionArn(deps, config.functionName, config.qualifier) } : {}),
    RequestedProvisionedConcurrentExecutions: config.requested,
    AvailableProvisionedConcurrentExecutions: allocated,
    AllocatedProvisionedConcurrentExecutions: allocated,
    Status: status,
    LastModified: config.lastModified,
  };
}

/** The FunctionName path parameter and the Qualifier query parameter, which these operations require. */
function targetOf(rawName: string, qualifier: string | undefined): ProvisionedTarget {
  const ref = parseFunctionName(rawName, qualifier);
  if (ref.qualifier === undefined)
    throw new LambdaError(
      "ValidationException",
      "1 validation error detected: Value null at 'qualifier' failed to satisfy constraint: Member must not be null",
    );
  return { name: ref.name, qualifier: ref.qualifier };
}

export function mountProvisioned(app: Hono, deps: ApiDeps): void {
  const path = "/2019-09-30/functions/:name/provisioned-concurrency";

  app.put(path, async (c) => {
    const body = parseBody(PutBody, await jsonBody(c));
    const target = targetOf(c.req.param("name"), c.req.query("Qualifier"));
    const config = putProvisioned(deps, target, body.ProvisionedConcurrentExecutions);
    return c.json(toWire(deps, config, false), 202);
  });

  app.get(path, (c) => {
    if (c.req.query("List") === "ALL") {
      const { name } = parseFunctionName(c.req.param("name"));
      return c.json({ ProvisionedConcurrencyConfigs: deps.registry.listProvisioned(name).map((p) => toWire(deps, p, true)) });
    }
    const config = getProvisioned(deps, targetOf(c.req.param("name"), c.req.query("Qualifier")));
    return c.json(toWire(deps, config, false));
  });

  app.delete(path, (c) => {
    deleteProvisioned(deps, targetOf(c.req.param("name"), c.req.query("Qualifier")));
    return c.body(null, 204);
  });
}
