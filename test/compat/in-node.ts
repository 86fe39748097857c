/**
 * A CommonJS handler run in the test's own Node, from the same node_modules the deployment package
 * is zipped from: what the sandbox answers is compared with what Node answers for the same source.
 */

import { createRequire } from "node:module";
import path from "node:path";
import { CORPUS_DIR } from "./package-closure.js";

/** Node's require from the corpus's folder: the packages the deployment packages are zipped from. */
export const fromCorpus = createRequire(path.join(CORPUS_DIR, "package.json"));

export type NodeHandler = (event: unknown, context: object) => Promise<unknown>;

/** The Lambda context's parts the adapters read. */
const CONTEXT = {
  awsRequestId: "compat-request",
  functionName: "compat",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:compat",
  memoryLimitInMB: "512",
  logGroupName: "/aws/lambda/compat",
  logStreamName: "compat",
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
};

/**
 * `source`'s `exports.handler`, its requires resolved from the corpus; `aliases` maps a
 * package's real name to the name it is installed under (`{ express: "express5" }`), as the zip
 * holds it under its real name.
 */
export function handlerInNode(source: string, aliases: Record<string, string> = {}): (event: unknown) => Promise<unknown> {
  const require = (name: string): unknown => {
    const [scopeOrName = "", rest] = name.startsWith("@")
      ? [name.split("/").slice(0, 2).join("/"), name.split("/").slice(2)]
      : [name.split("/")[0], name.split("/").slice(1)];
    const installed = aliases[scopeOrName];
    return fromCorpus(installed === undefined ? name : [installed, ...(rest ?? [])].join("/"));
  };
  const module = { exports: {} as { handler?: NodeHandler } };
  new Function("exports", "require", "module", source)(module.exports, require, module);
  const { handler } = module.exports;
  if (handler === undefined) throw new Error("the source exports no handler");
  return (event) => handler(event, { ...CONTEXT });
}
