/**
 * What a request to the API port asks for, as far as auth needs to know: which protocol answers it
 * (its errors' shape), whether it is the data plane a function's own credentials may call, and the
 * IAM action and resource an AccessDeniedException names.
 */

import { lambdaArn } from "../../lambda/arn.js";

/** Lambda's REST JSON, SQS's AWS JSON 1.0 (X-Amz-Target), or SQS's query protocol (a form, XML answers). */
export type Protocol = "lambda" | "sqs-json" | "sqs-query";

/** Where SQS's query protocol posts: `/` or a queue URL's path `/<accountId>/<name>`. */
const SQS_QUERY_PATH = /^\/(\d{12}\/[A-Za-z0-9_-]+(\.fifo)?)?$/;

export function protocolOf(method: string | undefined, path: string, target: string | undefined): Protocol {
  if (target?.startsWith("AmazonSQS.")) return "sqs-json";
  if (method === "POST" && SQS_QUERY_PATH.test(path)) return "sqs-query";
  return "lambda";
}

/** Invoke, InvokeWithResponseStream and InvokeAsync: IAM authorizes the first two as lambda:InvokeFunction. */
const DATA_PLANE =
  /^\/(2015-03-31\/functions\/[^/]+\/invocations|2021-11-15\/functions\/[^/]+\/response-streaming-invocations|2014-11-13\/functions\/[^/]+\/invoke-async\/?)$/;

/** Whether a function's own credentials may make this call without a grant: invocations and every SQS call. */
export function isDataPlane(protocol: Protocol, method: string | undefined, path: string): boolean {
  return protocol !== "lambda" || (method === "POST" && DATA_PLANE.test(path));
}

type Route = [method: string, path: RegExp, action: string];

const FN = "/(?<fn>[^/]+)";
const route = (method: string, path: string, action: string): Route => [method, new RegExp(`^${path}/?$`), action];

/** The Lambda API's operations by method and path, for the action a refusal names. */
const ROUTES: Route[] = [
  route("GET", "/2015-03-31/functions", "ListFunctions"),
  route("POST", "/2015-03-31/functions", "CreateFunction"),
  route("GET", `/2015-03-31/functions${FN}`, "GetFunction"),
  route("DELETE", `/2015-03-31/functions${FN}`, "DeleteFunction"),
  route("GET", `/2015-03-31/functions${FN}/configuration`, "GetFunctionConfiguration"),
  route("PUT", `/2015-03-31/functions${FN}/configuration`, "UpdateFunctionConfiguration"),
  route("PUT", `/2015-03-31/functions${FN}/code`, "UpdateFunctionCode"),
  route("GET", `/2015-03-31/functions${FN}/versions`, "ListVersionsByFunction"),
  route("POST", `/2015-03-31/functions${FN}/versions`, "PublishVersion"),
  route("GET", `/2015-03-31/functions${FN}/aliases`, "ListAliases"),
  route("POST", `/2015-03-31/functions${FN}/aliases`, "CreateAlias"),
  route("GET", `/2015-03-31/functions${FN}/aliases/[^/]+`, "GetAlias"),
  route("PUT", `/2015-03-31/functions${FN}/aliases/[^/]+`, "UpdateAlias"),
  route("DELETE", `/2015-03-31/functions${FN}/aliases/[^/]+`, "DeleteAlias"),
  route("GET", "/2017-03-31/tags/(?<arn>[^/]+)", "ListTags"),
  route("POST", "/2017-03-31/tags/(?<arn>[^/]+)", "TagResource"),
  route("DELETE", "/2017-03-31/tags/(?<arn>[^/]+)", "UntagResource"),
  route("GET", "/2016-08-19/account-settings", "GetAccountSettings"),
  route("PUT", `/2017-10-31/functions${FN}/concurrency`, "PutFunctionConcurrency"),
  route("DELETE", `/2017-10-31/functions${FN}/concurrency`, "DeleteFunctionConcurrency"),
  route("GET", `/2019-09-30/functions${FN}/concurrency`, "GetFunctionConcurrency"),
  route("GET", `/2019-09-30/functions${FN}/provisioned-concurrency`, "GetProvisionedConcurrencyConfig"),
  route("PUT", `/2019-09-30/functions${FN}/provisioned-concurrency`, "PutProvisionedConcurrencyConfig"),
  route("DELETE", `/2019-09-30/functions${FN}/provisioned-concurrency`, "DeleteProvisionedConcurrencyConfig"),
  route("GET", `/2019-09-25/functions${FN}/event-invoke-config(/list)?`, "GetFunctionEventInvokeConfig"),
  route("PUT", `/2019-09-25/functions${FN}/event-invoke-config`, "PutFunctionEventInvokeConfig"),
  route("POST", `/2019-09-25/functions${FN}/event-invoke-config`, "UpdateFunctionEventInvokeConfig"),
  route("DELETE", `/2019-09-25/functions${FN}/event-invoke-config`, "DeleteFunctionEventInvokeConfig"),
  route("GET", "/2015-03-31/event-source-mappings", "ListEventSourceMappings"),
  route("POST", "/2015-03-31/event-source-mappings", "CreateEventSourceMapping"),
  route("GET", "/2015-03-31/event-source-mappings/[^/]+", "GetEventSourceMapping"),
  route("PUT", "/2015-03-31/event-source-mappings/[^/]+", "UpdateEventSourceMapping"),
  route("DELETE", "/2015-03-31/event-source-mappings/[^/]+", "DeleteEventSourceMapping"),
  route("GET", "/2018-10-31/layers", "ListLayers"),
  route("GET", "/2018-10-31/layers/(?<layer>[^/]+)/versions", "ListLayerVersions"),
  route("POST", "/2018-10-31/layers/(?<layer>[^/]+)/versions", "PublishLayerVersion"),
  route("GET", "/2018-10-31/layers/(?<layer>[^/]+)/versions/[^/]+", "GetLayerVersion"),
  route("DELETE", "/2018-10-31/layers/(?<layer>[^/]+)/versions/[^/]+", "DeleteLayerVersion"),
];

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The IAM action (`lambda:GetFunction`) and the resource ARN a Lambda API call acts on. */
export function lambdaActionOf(
  method: string | undefined,
  path: string,
  query: string,
  where: { region: string; accountId: string },
): { action: string; resource: string } {
  const arn = (kind: string, name: string) => (name.startsWith("arn:") ? name : lambdaArn(where, kind, name));
  for (const [m, pattern, action] of ROUTES) {
    if (m !== method) continue;
    const match = pattern.exec(path);
    if (match === null) continue;
    const { fn, arn: tagged, layer } = match.groups ?? {};
    if (fn !== undefined) {
      const qualifier = new URLSearchParams(query).get("Qualifier");
      return { action: `lambda:${action}`, resource: `${arn("function", decoded(fn))}${qualifier ? `:${qualifier}` : ""}` };
    }
    if (tagged !== undefined) return { action: `lambda:${action}`, resource: decoded(tagged) };
    if (layer !== undefined) return { action: `lambda:${action}`, resource: arn("layer", decoded(layer)) };
    return { action: `lambda:${action}`, resource: "*" };
  }
  // isolambda's own paths (/metrics, /isolambda/...) and unknown ones: no AWS action to name.
  return { action: `isolambda:${method ?? "GET"} ${path}`, resource: "*" };
}
