/**
 * PutFunctionEventInvokeConfig, UpdateFunctionEventInvokeConfig, GetFunctionEventInvokeConfig,
 * DeleteFunctionEventInvokeConfig and ListFunctionEventInvokeConfigs: how the async box retries a
 * function's Event invocations and where their records go.
 */
import type { Hono } from "hono";
import { z } from "zod";
import { isSupportedDestination } from "../async/dispatcher.js";
import type { EventInvokeConfig } from "../async/types.js";
import { functionArn, parseFunctionName } from "../lambda/arn.js";
import { LambdaError } from "../lambda/errors.js";
import { resolveFunction } from "../lambda/resolve.js";
import type { ApiDeps } from "./deps.js";
import { jsonBody, maxItemsOf } from "./request.js";
import { parseBody } from "./validate.js";

const destination = z.object({ Destination: z.string().min(0).max(350).optional() }).optional();
const Body = z.object({
  MaximumRetryAttempts: z
    .number()
    .int()
    .min(0, "Member must have value greater than or equal to 0")
    .max(2, "Member must have value less than or equal to 2")
    .optional(),
  MaximumEventAgeInSeconds: z
    .number()
    .int()
    .min(60, "Member must have value greater than or equal to 60")
    .max(21600, "Member must have value less than or equal to 21600")
    .optional(),
  DestinationConfig: z.object({ OnSuccess: destination, OnFailure: destination }).optional(),
});
type Body = z.infer<typeof Body>;

/** List: 1–50 configurations per page. */
const LIST_MAX_ITEMS = 50;

function checkDestination(arn: string | undefined): string | undefined {
  if (arn === undefined || arn === "") return undefined;
  if (!isSupportedDestination(arn)) {
    throw new LambdaError(
      "InvalidParameterValueException",
      `The destination ARN ${arn} is invalid: isolambda delivers to Lambda functions (arn:aws:lambda:...) and SQS queues (arn:aws:sqs:...).`,
    );
  }
  return arn;
}

function toWire(deps: ApiDeps, config: EventInvokeConfig) {
  const destinationOf = (arn: string | undefined) => (arn === undefined ? {} : { Destination: arn });
  return {
    LastModified: config.lastModified,
    FunctionArn: functionArn(deps, config.functionName, config.qualifier),
    MaximumRetryAttempts: config.maximumRetryAttempts,
    MaximumEventAgeInSeconds: config.maximumEventAgeInSeconds,
    DestinationConfig: { OnSuccess: destinationOf(config.onSuccess), OnFailure: destinationOf(config.onFailure) },
  };
}

export function mountEventInvokeConfig(app: Hono, deps: ApiDeps): void {
  const path = "/2019-09-25/functions/:name/event-invoke-config";
  /** The function (and version or alias) must exist; no qualifier means $LATEST. */
  const target = (rawName: string, qualifier: string | undefined) => {
    const ref = parseFunctionName(rawName, qualifier);
    resolveFunction(deps, ref);
    return { functionName: ref.name, qualifier: ref.qualifier ?? "$LATEST" };
  };
  const notFound = (functionName: string, qualifier: string) =>
    new LambdaError(
      "ResourceNotFoundException",
      `The function ${functionArn(deps, functionName, qualifier)} doesn't have an EventInvokeConfig`,
    );
  const store = (key: { functionName: string; qualifier: string }, body: Body, base?: EventInvokeConfig) =>
    deps.eventInvokeConfigs.put({
      ...key,
      maximumRetryAttempts: body.MaximumRetryAttempts ?? base?.maximumRetryAttempts,
      maximumEventAgeInSeconds: body.MaximumEventAgeInSeconds ?? base?.maximumEventAgeInSeconds,
      onSuccess:
        body.DestinationConfig?.OnSuccess !== undefined ? checkDestination(body.DestinationConfig.OnSuccess.Destination) : base?.onSuccess,
      onFailure:
        body.DestinationConfig?.OnFailure !== undefined ? checkDestination(body.DestinationConfig.OnFailure.Destination) : base?.onFailure,
    });

  app.put(path, async (c) => {
    const body = parseBody(Body, await jsonBody(c));
    return c.json(toWire(deps, store(target(c.req.param("name"), c.req.query("Qualifier")), body)));
  });

  app.post(path, async (c) => {
    const body = parseBody(Body, await jsonBody(c));
    const key = target(c.req.param("name"), c.req.query("Qualifier"));
    const current = deps.eventInvokeConfigs.get(key.functionName, key.qualifier);
    if (current === undefined) throw notFound(key.functionName, key.qualifier);
    return c.json(toWire(deps, store(key, body, current)));
  });

  app.get(path, (c) => {
    const key = target(c.req.param("name"), c.req.query("Qualifier"));
    const config = deps.eventInvokeConfigs.get(key.functionName, key.qualifier);
    if (config === undefined) throw notFound(key.functionName, key.qualifier);
    return c.json(toWire(deps, config));
  });

  app.delete(path, (c) => {
    const key = target(c.req.param("name"), c.req.query("Qualifier"));
    if (!deps.eventInvokeConfigs.delete(key.functionName, key.qualifier)) throw notFound(key.functionName, key.qualifier);
    return c.body(null, 204);
  });

  app.get(`${path}/list`, (c) => {
    const { functionName } = target(c.req.param("name"), undefined);
    const maxItems = Math.min(maxItemsOf(c.req.query("MaxItems")) ?? LIST_MAX_ITEMS, LIST_MAX_ITEMS);
    const all = deps.eventInvokeConfigs.list(functionName);
    const marker = c.req.query("Marker");
    const start = marker === undefined ? 0 : all.findIndex((config) => config.qualifier > marker);
    const page = start < 0 ? [] : all.slice(start, start + maxItems);
    const last = page.at(-1);
    const more = start >= 0 && start + maxItems < all.length;
    return c.json({
      FunctionEventInvokeConfigs: page.map((config) => toWire(deps, config)),
      NextMarker: more && last !== undefined ? last.qualifier : undefined,
    });
  });
}
