/** CreateAlias, GetAlias, UpdateAlias, DeleteAlias and ListAliases under Lambda's REST paths. */
import type { Hono } from "hono";
import { z } from "zod";
import { functionArn, parseFunctionName } from "../lambda/arn.js";
import { LambdaError } from "../lambda/errors.js";
import type { Alias } from "../registry/types.js";
import type { ApiDeps } from "./deps.js";
import { jsonBody, maxItemsOf } from "./request.js";
import { parseBody } from "./validate.js";

const aliasName = z
  .string()
  .min(1)
  .max(128, "Member must have length less than or equal to 128")
  .regex(/^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$/, "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)");
const functionVersion = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^(\$LATEST|[0-9]+)$/, "Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)");
const routingConfig = z.object({ AdditionalVersionWeights: z.record(z.string(), z.number().min(0).max(1)).optional() });
const description = z.string().max(256, "Member must have length less than or equal to 256");

const CreateAliasBody = z.object({
  Name: aliasName,
  FunctionVersion: functionVersion,
  Description: description.optional(),
  RoutingConfig: routingConfig.optional(),
});
const UpdateAliasBody = z.object({
  FunctionVersion: functionVersion.optional(),
  Description: description.optional(),
  RoutingConfig: routingConfig.optional(),
  RevisionId: z.string().optional(),
});

function toAliasConfiguration(deps: ApiDeps, alias: Alias): Record<string, unknown> {
  const weights = alias.additionalVersionWeights;
  return {
    AliasArn: functionArn(deps, alias.functionName, alias.name),
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    ...(Object.keys(weights).length > 0 ? { RoutingConfig: { AdditionalVersionWeights: weights } } : {}),
    RevisionId: alias.revisionId,
  };
}

export function mountAliases(app: Hono, deps: ApiDeps): void {
  const base = "/2015-03-31/functions/:name/aliases";
  const nameOf = (raw: string) => parseFunctionName(raw).name;

  app.post(base, async (c) => {
    const body = parseBody(CreateAliasBody, await jsonBody(c));
    const alias = deps.registry.createAlias(nameOf(c.req.param("name")), body.Name, {
      functionVersion: body.FunctionVersion,
      description: body.Description,
      additionalVersionWeights: body.RoutingConfig?.AdditionalVersionWeights,
    });
    return c.json(toAliasConfiguration(deps, alias), 201);
  });

  app.get(base, (c) => {
    const page = deps.registry.listAliases(nameOf(c.req.param("name")), {
      functionVersion: c.req.query("FunctionVersion"),
      marker: c.req.query("Marker"),
      maxItems: maxItemsOf(c.req.query("MaxItems")),
    });
    return c.json({
      Aliases: page.items.map((a) => toAliasConfiguration(deps, a)),
      ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
    });
  });

  app.get(`${base}/:alias`, (c) => {
    const name = nameOf(c.req.param("name"));
    const alias = deps.registry.getAlias(name, c.req.param("alias"));
    if (alias === undefined)
      throw new LambdaError("ResourceNotFoundException", `Alias not found: ${functionArn(deps, name, c.req.param("alias"))}`);
    return c.json(toAliasConfiguration(deps, alias));
  });

  app.put(`${base}/:alias`, async (c) => {
    const body = parseBody(UpdateAliasBody, await jsonBody(c));
    const patch = {
      ...(body.FunctionVersion !== undefined ? { functionVersion: body.FunctionVersion } : {}),
      ...(body.Description !== undefined ? { description: body.Description } : {}),
      ...(body.RoutingConfig !== undefined ? { additionalVersionWeights: body.RoutingConfig.AdditionalVersionWeights ?? {} } : {}),
    };
    const alias = deps.registry.updateAlias(nameOf(c.req.param("name")), c.req.param("alias"), patch, body.RevisionId);
    return c.json(toAliasConfiguration(deps, alias));
  });

  app.delete(`${base}/:alias`, (c) => {
    deps.registry.deleteAlias(nameOf(c.req.param("name")), c.req.param("alias"));
    return c.body(null, 204);
  });
}
