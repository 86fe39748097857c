/**
 * What express 4 (and so serverless-http and @vendia/serverless-express) first fails on: depd, in
 * express, body-parser and http-errors, calls Error.captureStackTrace with a CallSite-returning
 * Error.prepareStackTrace at import, to name the caller of a deprecated API. Unmodified packages,
 * deployed with their node_modules through the API.
 */
import { describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
import { deployPackaged, invoke } from "./deploy.js";

const api = useServer();

describe("depd and the packages built on it inside the sandbox", () => {
  it("imports body-parser and http-errors, and depd names the deprecated call's file, line and column", async () => {
    await deployPackaged(api, "compat-depd", {
      packages: ["depd", "http-errors", "body-parser"],
      files: {
        "index.js": [
          "const bodyParser = require('body-parser');",
          "const createError = require('http-errors');",
          "const { oldTotal } = require('./legacy');",
          "",
          "exports.handler = async () => {",
          "  const sum = oldTotal(2, 3);",
          "  const error = createError(404, 'no such order');",
          "  return { sum, parsers: typeof bodyParser.json(), status: error.status, expose: error.expose, name: error.name, isHttpError: createError.isHttpError(error) };",
          "};",
        ].join("\n"),
        "legacy.js":
          "const deprecate = require('depd')('orders');\nexports.oldTotal = (a, b) => { deprecate('oldTotal: use total'); return a + b; };",
      },
    });
    const out = await invoke(api, "compat-depd", {});
    expect(out.functionError, JSON.stringify(out.payload)).toBeUndefined();
    expect(out.payload).toEqual({ sum: 5, parsers: "function", status: 404, expose: true, name: "NotFoundError", isHttpError: true });
    // depd writes to stderr the namespace, the message and the call site, relative to the working directory (/var/task).
    expect(out.logTail).toMatch(/orders deprecated oldTotal: use total at index\.js:6:\d+$/m);
  });
});
