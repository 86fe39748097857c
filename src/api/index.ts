/** The Lambda API under its real REST paths (2015-03-31/...), as a Hono app. */
import { Hono } from "hono";
import { AwsError, errorResponse } from "./errors.js";
import { type InvokeDeps, mountInvoke } from "./invoke.js";

export type ApiDeps = InvokeDeps;

export function createApi(deps: ApiDeps): Hono {
  const app = new Hono();
  mountInvoke(app, deps);
  app.notFound((c) =>
    errorResponse(new AwsError("ResourceNotFoundException", `No Lambda API operation at ${c.req.method} ${c.req.path}`), ""),
  );
  app.onError((error) => errorResponse(error, ""));
  return app;
}
