/** TagResource, UntagResource and ListTags (path version 2017-03-31), addressed by function ARN. */
import type { Hono } from "hono";
import { z } from "zod";
import { parseFunctionName } from "../lambda/arn.js";
import type { ApiDeps } from "./deps.js";
import { jsonBody } from "./request.js";
import { parseBody } from "./validate.js";

const TagBody = z.object({ Tags: z.record(z.string().min(1).max(128), z.string().max(256)) });

export function mountTags(app: Hono, deps: ApiDeps): void {
  // Hono has decoded the path parameter already (a malformed escape stays as sent).
  const nameOf = (arn: string) => parseFunctionName(arn).name;
  app.get("/2017-03-31/tags/:arn", (c) => c.json({ Tags: deps.registry.listTags(nameOf(c.req.param("arn"))) }));
  app.post("/2017-03-31/tags/:arn", async (c) => {
    const body = parseBody(TagBody, await jsonBody(c));
    deps.registry.tagResource(nameOf(c.req.param("arn")), body.Tags);
    return c.body(null, 204);
  });
  app.delete("/2017-03-31/tags/:arn", (c) => {
    deps.registry.untagResource(nameOf(c.req.param("arn")), c.req.queries("tagKeys") ?? []);
    return c.body(null, 204);
  });
}
