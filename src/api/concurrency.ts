/** PutFunctionConcurrency, GetFunctionConcurrency and DeleteFunctionConcurrency under Lambda's paths. */
import type { Hono } from "hono";
import { z } from "zod";
import { parseFunctionName } from "../lambda/arn.js";
import type { ApiDeps } from "./deps.js";
import { jsonBody } from "./request.js";
import { parseBody } from "./validate.js";

const PutBody = z.object({ ReservedConcurrentExecutions: z.number().int().min(0, "Member must have value greater than or equal to 0") });

export function mountConcurrency(app: Hono, deps: ApiDeps): void {
  const nameOf = (raw: string) => parseFunctionName(raw).name;
  app.put("/2017-10-31/functions/:name/concurrency", async (c) => {
    const body = parseBody(PutBody, await jsonBody(c));
    deps.registry.putReservedConcurrency(nameOf(c.req.param("name")), body.ReservedConcurrentExecutions, deps.invoker.gate.reservableTotal);
    deps.invoker.gate.forget();
    return c.json({ ReservedConcurrentExecutions: body.ReservedConcurrentExecutions });
  });
  app.get("/2019-09-30/functions/:name/concurrency", (c) => {
    const reserved = deps.registry.getReservedConcurrency(nameOf(c.req.param("name")));
    return c.json(reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved });
  });
  app.delete("/2017-10-31/functions/:name/concurrency", (c) => {
    deps.registry.deleteReservedConcurrency(nameOf(c.req.param("name")));
    deps.invoker.gate.forget();
    return c.body(null, 204);
  });
}
