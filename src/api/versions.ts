/** PublishVersion and ListVersionsByFunction under Lambda's REST paths. */
import type { Hono } from "hono";
import { z } from "zod";
import { parseFunctionName } from "../lambda/arn.js";
import { environmentConfig, snapStartApplies } from "../lambda/environment.js";
import type { FunctionVersion } from "../registry/types.js";
import type { ApiDeps } from "./deps.js";
import { jsonBody, maxItemsOf } from "./request.js";
import { toConfiguration } from "./shapes.js";
import { parseBody } from "./validate.js";

const PublishVersionBody = z.object({
  CodeSha256: z.string().optional(),
  Description: z.string().max(256, "Member must have length less than or equal to 256").optional(),
  RevisionId: z.string().optional(),
});

/**
 * A version just published, as PublishVersion answers. SnapStart: INIT runs once, here, and its
 * snapshot serves every environment of the version; an INIT failure leaves the version Failed, as
 * Lambda reports it (the state is not stored: a later create runs INIT again and reports its error).
 */
export async function publishedConfiguration(deps: ApiDeps, version: FunctionVersion): Promise<Record<string, unknown>> {
  const configuration = toConfiguration(deps, version);
  if (!snapStartApplies(deps, version)) return configuration;
  const { initError } = await deps.invoker.pool.prepareSnapshot(environmentConfig(deps, version, (sha) => deps.code.get(sha)?.dir));
  if (initError === undefined) return configuration;
  return {
    ...configuration,
    State: "Failed",
    StateReasonCode: "FunctionError",
    StateReason: `${initError.errorType}: ${initError.errorMessage}`,
  };
}

export function mountVersions(app: Hono, deps: ApiDeps): void {
  app.post("/2015-03-31/functions/:name/versions", async (c) => {
    const body = parseBody(PublishVersionBody, await jsonBody(c));
    const { name } = parseFunctionName(c.req.param("name"));
    const version = deps.registry.publishVersion(name, {
      codeSha256: body.CodeSha256,
      description: body.Description,
      revisionId: body.RevisionId,
    });
    return c.json(await publishedConfiguration(deps, version), 201);
  });

  app.get("/2015-03-31/functions/:name/versions", (c) => {
    const { name } = parseFunctionName(c.req.param("name"));
    const page = deps.registry.listVersions(name, { marker: c.req.query("Marker"), maxItems: maxItemsOf(c.req.query("MaxItems")) });
    return c.json({
      Versions: page.items.map((v) => toConfiguration(deps, v)),
      ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
    });
  });
}
