/**
 * The function URL request event: API Gateway payload format 2.0 as Lambda documents it for
 * function URLs ("Invoking Lambda function URLs", request payload format).
 */
import { type DoorRequest, isTextContentType } from "../shared/request.js";
import type { IamAuthorizer } from "./iam.js";

export interface UrlContext {
  accountId: string;
  /** The URL id: apiId, domainPrefix, first label of domainName. */
  urlId: string;
  region: string;
  requestId: string;
  traceId: string;
  now: number;
  /** AuthType AWS_IAM only: the signed request's caller. */
  authorizer?: IamAuthorizer | undefined;
}

export interface UrlEvent {
  version: "2.0";
  routeKey: "$default";
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    authentication: null;
    /** Present for AuthType AWS_IAM only; NONE events carry no authorizer. */
    authorizer?: IamAuthorizer | undefined;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: "$default";
    stage: "$default";
    time: string;
    timeEpoch: number;
  };
  body?: string;
  pathParameters: null;
  isBase64Encoded: boolean;
  stageVariables: null;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** The last second formatted: requests arrive many per second, the text changes once a second. */
let cachedSecond = -1;
let cachedTime = "";

/** requestContext.time: `12/Mar/2020:19:03:58 +0000` (the CLF timestamp API Gateway uses). */
export function clfTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second === cachedSecond) return cachedTime;
  const d = new Date(epochMs);
  cachedTime = `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
  cachedSecond = second;
  return cachedTime;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Payload 2.0: duplicate query keys are combined with commas; values are URL-decoded. */
export function queryParameters(raw: string): Record<string, string> | undefined {
  if (raw === "") return undefined;
  const params: Record<string, string> = {};
  let any = false;
  for (const pair of raw.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const key = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? "" : decode(pair.slice(eq + 1));
    const existing = params[key];
    params[key] = existing === undefined ? value : `${existing},${value}`;
    any = true;
  }
  return any ? params : undefined;
}

export function buildUrlEvent(req: DoorRequest, ctx: UrlContext): UrlEvent {
  // Payload 2.0: lower-case names, duplicates combined with commas, cookies in their own field.
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    if (name === "cookie") {
      cookies ??= [];
      for (const cookie of value.split(";")) {
        const trimmed = cookie.trim();
        if (trimmed !== "") cookies.push(trimmed);
      }
      continue;
    }
    const existing = headers[name];
    headers[name] = existing === undefined ? value : `${existing},${value}`;
  }
  // Added by the function URL front end, as on AWS.
  headers["x-amzn-trace-id"] ??= ctx.traceId;
  const forwarded = headers["x-forwarded-for"];
  headers["x-forwarded-for"] = forwarded === undefined ? req.sourceIp : `${forwarded}, ${req.sourceIp}`;
  headers["x-forwarded-proto"] = "http";
  headers["x-forwarded-port"] = String(req.port);

  const domainName = `${ctx.urlId}.lambda-url.${ctx.region}.on.aws`;
  const event: UrlEvent = {
    version: "2.0",
    routeKey: "$default",
    rawPath: req.path,
    rawQueryString: req.query,
    cookies,
    headers,
    queryStringParameters: queryParameters(req.query),
    requestContext: {
      accountId: ctx.accountId,
      apiId: ctx.urlId,
      authentication: null,
      // Undefined (left out of the JSON) for AuthType NONE; placed where the documented example has it.
      authorizer: ctx.authorizer,
      domainName,
      domainPrefix: ctx.urlId,
      http: {
        method: req.method,
        path: req.path,
        protocol: "HTTP/1.1",
        sourceIp: req.sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: ctx.requestId,
      routeKey: "$default",
      stage: "$default",
      time: clfTime(ctx.now),
      timeEpoch: ctx.now,
    },
    body: undefined,
    pathParameters: null,
    isBase64Encoded: false,
    stageVariables: null,
  };
  if (req.body.length > 0) {
    // "If the content type of the request is binary, the body is base64-encoded."
    const text = isTextContentType(headers["content-type"]);
    event.body = req.body.toString(text ? "utf8" : "base64");
    event.isBase64Encoded = !text;
  }
  return event;
}
