/** The Lambda API under its real REST paths (2015-03-31/...), as a Hono app. */
import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { LambdaError } from "../lambda/errors.js";
import { RegistryCache } from "../lambda/registry-cache.js";
import { mountSqs } from "../sqs/index.js";
import { mountAccount } from "./account.js";
import { mountAliases } from "./aliases.js";
import { mountConcurrency } from "./concurrency.js";
import type { ApiDeps } from "./deps.js";
import { errorResponse } from "./errors.js";
import { mountEventInvokeConfig } from "./event-invoke-config.js";
import { mountEventSourceMappings } from "./event-source-mappings.js";
import { mountFunctions } from "./functions.js";
import { mountInvokeStream } from "./invoke-stream.js";
import { mountLayers } from "./layers.js";
import { mountProvisioned } from "./provisioned.js";
import { controlPlaneBodyLimit } from "./request.js";
import { mountTags } from "./tags.js";
import { mountVersions } from "./versions.js";

export type { ApiDeps } from "./deps.js";

/**
 * `cache` may be shared with the doors: every control-plane call through the API clears it.
 * Invoke itself is served ahead of this app, on node:http (src/api/invoke-route.ts).
 */
export function createApi(deps: ApiDeps, cache = new RegistryCache(deps.registry, deps.code)): Hono {
  const app = new Hono();
  // First, so SQS calls (POST / with an AmazonSQS target) skip the Lambda API's middleware.
  if (deps.queues) mountSqs(app, deps.queues);
  app.use(controlPlaneBodyLimit);
  // Anything but a read or an invocation may have changed what Invoke caches. Not an async function:
  // an invocation passes through without one more promise.
  app.use((c, next) => {
    if (c.req.method === "GET" || c.req.path.endsWith("invocations")) return next();
    return next().finally(() => cache.clear());
  });
  mountInvokeStream(app, deps, cache);
  mountFunctions(app, deps);
  mountVersions(app, deps);
  mountAliases(app, deps);
  mountTags(app, deps);
  mountAccount(app, deps);
  mountConcurrency(app, deps);
  mountProvisioned(app, deps);
  mountEventInvokeConfig(app, deps);
  mountEventSourceMappings(app, deps, deps.sources);
  mountLayers(app, deps);
  // Not an AWS path: isolambda's own list of function.json schedules and when each fires next.
  app.get("/isolambda/schedules", (c) =>
    c.json({
      Schedules: deps.scheduler.list().map((s) => ({
        Name: s.name,
        FunctionName: s.functionName,
        ScheduleExpression: s.expression,
        NextFire: new Date(s.nextFire).toISOString(),
      })),
    }),
  );
  app.get("/metrics", async (c) => {
    const registry = deps.invoker.metrics.registry;
    return c.body(await registry.metrics(), 200, { "content-type": registry.contentType });
  });
  app.notFound((c) =>
    errorResponse(new LambdaError("ResourceNotFoundException", `No Lambda API operation at ${c.req.method} ${c.req.path}`), ""),
  );
  app.onError((error) => {
    // AWS errors are the client's business; anything else is a bug the operator must see.
    if (!(error instanceof LambdaError)) console.error("isolambda: internal error:", error);
    return errorResponse(error, randomUUID());
  });
  return app;
}
