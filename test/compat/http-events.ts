/**
 * The HTTP events Lambda adapters translate, as AWS documents them: API Gateway REST (payload 1.0),
 * API Gateway HTTP API and function URLs (payload 2.0), and an ALB target with and without
 * multi-value headers. Each takes the request as a client sends it (a raw query string, headers, a body) and
 * builds what the service hands the function.
 */

export interface HttpRequest {
  method: string;
  path: string;
  /** As on the wire: percent-encoded, keys may repeat. */
  query?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

const SOURCE_IP = "198.51.100.7";
const HOST = "compat.example.com";

function pairs(query: string): Array<[string, string]> {
  return query === "" ? [] : query.split("&").map((part) => [part.split("=")[0] ?? "", part.split("=").slice(1).join("=")]);
}

const decode = (text: string): string => decodeURIComponent(text.replace(/\+/g, " "));

function bodyOf(body: HttpRequest["body"]): { body: string | null; isBase64Encoded: boolean } {
  if (body === undefined) return { body: null, isBase64Encoded: false };
  if (typeof body === "string") return { body, isBase64Encoded: false };
  return { body: Buffer.from(body).toString("base64"), isBase64Encoded: true };
}

function headersOf(request: HttpRequest): Record<string, string> {
  return { host: HOST, "x-forwarded-proto": "https", "x-forwarded-port": "443", "x-forwarded-for": SOURCE_IP, ...request.headers };
}

/** API Gateway REST API proxy integration: values decoded, the last of repeated keys in the single-value maps. */
export function apiGatewayV1Event(request: HttpRequest): object {
  const headers = headersOf(request);
  const query = pairs(request.query ?? "").map(([key, value]) => [decode(key), decode(value)] as const);
  const multi: Record<string, string[]> = {};
  for (const [key, value] of query) multi[key] = [...(multi[key] ?? []), value];
  return {
    resource: "/{proxy+}",
    path: request.path,
    httpMethod: request.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: query.length === 0 ? null : Object.fromEntries(query),
    multiValueQueryStringParameters: query.length === 0 ? null : multi,
    pathParameters: { proxy: request.path.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: "000000000000",
      apiId: "compat",
      domainName: HOST,
      httpMethod: request.method,
      identity: { sourceIp: SOURCE_IP, userAgent: headers["user-agent"] ?? null },
      path: `/prod${request.path}`,
      protocol: "HTTP/1.1",
      requestId: "compat-request",
      requestTimeEpoch: 1709251198000,
      resourcePath: "/{proxy+}",
      stage: "prod",
    },
    ...bodyOf(request.body),
  };
}

/** API Gateway HTTP API and function URLs: cookies apart, repeated query keys joined with commas. */
export function apiGatewayV2Event(request: HttpRequest): object {
  const { cookie, ...headers } = headersOf(request);
  const query: Record<string, string> = {};
  for (const [key, value] of pairs(request.query ?? "")) {
    const name = decode(key);
    query[name] = name in query ? `${query[name]},${decode(value)}` : decode(value);
  }
  const body = bodyOf(request.body);
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: request.path,
    rawQueryString: request.query ?? "",
    ...(cookie === undefined ? {} : { cookies: cookie.split("; ") }),
    headers,
    ...(Object.keys(query).length === 0 ? {} : { queryStringParameters: query }),
    requestContext: {
      accountId: "000000000000",
      apiId: "compat",
      domainName: HOST,
      domainPrefix: "compat",
      http: {
        method: request.method,
        path: request.path,
        protocol: "HTTP/1.1",
        sourceIp: SOURCE_IP,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: "compat-request",
      routeKey: "$default",
      stage: "$default",
      time: "29/Feb/2024:23:59:58 +0000",
      timeEpoch: 1709251198000,
    },
    ...(body.body === null ? { isBase64Encoded: false } : body),
  };
}

/** An ALB target group without multi-value headers: query values as sent (still encoded), the last of repeated keys. */
export function albEvent(request: HttpRequest): object {
  const body = bodyOf(request.body);
  return {
    requestContext: { elb: { targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/compat/0123456789abcdef" } },
    httpMethod: request.method,
    path: request.path,
    queryStringParameters: Object.fromEntries(pairs(request.query ?? "")),
    headers: headersOf(request),
    body: body.body ?? "",
    isBase64Encoded: body.isBase64Encoded,
  };
}

/** An ALB target group with multi-value headers enabled: every value of a repeated key, query values as sent. */
export function albMultiValueEvent(request: HttpRequest): object {
  const body = bodyOf(request.body);
  const query: Record<string, string[]> = {};
  for (const [key, value] of pairs(request.query ?? "")) query[key] = [...(query[key] ?? []), value];
  return {
    requestContext: { elb: { targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/compat/0123456789abcdef" } },
    httpMethod: request.method,
    path: request.path,
    multiValueQueryStringParameters: query,
    multiValueHeaders: Object.fromEntries(Object.entries(headersOf(request)).map(([name, value]) => [name, [value]])),
    body: body.body ?? "",
    isBase64Encoded: body.isBase64Encoded,
  };
}

export const EVENT_SHAPES = {
  "API Gateway v1": apiGatewayV1Event,
  "API Gateway v2": apiGatewayV2Event,
  ALB: albEvent,
  "ALB multi-value": albMultiValueEvent,
} as const;
