import { describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
import { deployPackaged, invoke, invokeOk } from "./deploy.js";

const api = useServer();

describe("@middy/core inside the sandbox", () => {
  it("runs http-json-body-parser and a custom before/after/onError middleware around the handler", async () => {
    await deployPackaged(api, "compat-middy", {
      packages: ["@middy/core", "@middy/http-json-body-parser"],
      files: {
        "index.mjs": `
          import middy from "@middy/core";
          import httpJsonBodyParser from "@middy/http-json-body-parser";
          const timing = () => ({
            before: (request) => { request.internal.steps = ["before"]; },
            after: (request) => {
              request.internal.steps.push("after");
              request.response = { ...request.response, headers: { "x-steps": request.internal.steps.join(",") } };
            },
            onError: (request) => {
              request.response = { statusCode: request.error.statusCode ?? 500, body: request.error.message };
            },
          });
          export const handler = middy()
            .use(timing())
            .use(httpJsonBodyParser())
            .handler(async (event, context) => {
              return { statusCode: 200, body: JSON.stringify({ got: event.body, remaining: context.getRemainingTimeInMillis() > 0 }) };
            });`,
      },
    });
    const ok = (await invokeOk(api, "compat-middy", {
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ order: 42 }),
    })) as { statusCode: number; body: string; headers: Record<string, string> };
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ got: { order: 42 }, remaining: true });
    expect(ok.headers["x-steps"]).toBe("before,after");

    // The parser refuses a body that is not JSON with its own 415/422 http error, which onError turns into a response.
    const bad = await invoke(api, "compat-middy", { headers: { "Content-Type": "application/json" }, body: "{not json" });
    expect(bad.functionError).toBeUndefined();
    expect(bad.payload).toEqual({ statusCode: 422, body: "Invalid or malformed JSON was provided" });
  });
});
