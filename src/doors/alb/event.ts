/**
 * The request event ELB sends a Lambda target ("Lambda functions as targets", receive events):
 * lower-cased header names, the query string as sent (not URL-decoded), the body as text for text
 * content types and base64 otherwise, and the headers the load balancer adds.
 */
import { type DoorRequest, isTextContentType } from "../shared/request.js";

export interface AlbContext {
  targetGroupArn: string;
  multiValue: boolean;
  traceId: string;
}

export interface AlbEvent {
  requestContext: { elb: { targetGroupArn: string } };
  httpMethod: string;
  path: string;
  queryStringParameters?: Record<string, string>;
  multiValueQueryStringParameters?: Record<string, string[]>;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string;
  isBase64Encoded: boolean;
}

export function buildAlbEvent(req: DoorRequest, ctx: AlbContext): AlbEvent {
  const raw = req.rawHeaders;
  let body = "";
  let isBase64Encoded = false;
  const encodeBody = (contentType: string | undefined) => {
    if (req.body.length === 0) return;
    const text = isTextContentType(contentType);
    body = req.body.toString(text ? "utf8" : "base64");
    isBase64Encoded = !text;
  };
  const requestContext = { elb: { targetGroupArn: ctx.targetGroupArn } };
  // Fields in the documented order, so an event a handler logs reads like ELB's.
  if (ctx.multiValue) {
    const query: Record<string, string[]> = {};
    for (const [key, value] of pairs(req.query)) push(query, key, value);
    const headers: Record<string, string[]> = {};
    for (let i = 0; i < raw.length; i += 2) push(headers, (raw[i] as string).toLowerCase(), raw[i + 1] as string);
    const forwardedFor = headers["x-forwarded-for"]?.join(", ");
    headers["x-amzn-trace-id"] = [headers["x-amzn-trace-id"]?.at(-1) ?? ctx.traceId];
    headers["x-forwarded-for"] = [forwardedFor === undefined ? req.sourceIp : `${forwardedFor}, ${req.sourceIp}`];
    headers["x-forwarded-port"] = [String(req.port)];
    headers["x-forwarded-proto"] = ["http"];
    encodeBody(headers["content-type"]?.at(-1));
    return {
      requestContext,
      httpMethod: req.method,
      path: req.path,
      multiValueQueryStringParameters: query,
      multiValueHeaders: headers,
      body,
      isBase64Encoded,
    };
  }
  // "If a header or query parameter has multiple values, the load balancer uses the last value that it receives."
  const query: Record<string, string> = {};
  for (const [key, value] of pairs(req.query)) query[key] = value;
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) headers[(raw[i] as string).toLowerCase()] = raw[i + 1] as string;
  const forwardedFor = headers["x-forwarded-for"];
  headers["x-amzn-trace-id"] ??= ctx.traceId;
  headers["x-forwarded-for"] = forwardedFor === undefined ? req.sourceIp : `${forwardedFor}, ${req.sourceIp}`;
  headers["x-forwarded-port"] = String(req.port);
  headers["x-forwarded-proto"] = "http";
  encodeBody(headers["content-type"]);
  return { requestContext, httpMethod: req.method, path: req.path, queryStringParameters: query, headers, body, isBase64Encoded };
}

function push(lists: Record<string, string[]>, key: string, value: string): void {
  const list = lists[key];
  if (list === undefined) lists[key] = [value];
  else list.push(value);
}

/** Key/value pairs of a query string, neither decoded ("the load balancer does not decode them"). */
function* pairs(query: string): Generator<[string, string]> {
  if (query === "") return;
  for (const part of query.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    yield eq === -1 ? [part, ""] : [part.slice(0, eq), part.slice(eq + 1)];
  }
}
