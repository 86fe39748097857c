/**
 * Lambda@Edge events ("Lambda@Edge event structure"): `Records[0].cf` with `config` and a
 * `request`, plus a `response` for the response events. Fields are in the documented
 * (alphabetical) order.
 */
import type { CfHeaders, EdgeEventType } from "./headers.js";

export interface CfBody {
  inputTruncated: boolean;
  action: "read-only" | "replace";
  encoding: "base64" | "text";
  data: string;
}

export interface CfCustomOrigin {
  customHeaders: CfHeaders;
  domainName: string;
  keepaliveTimeout: number;
  path: string;
  port: number;
  protocol: "http" | "https";
  readTimeout: number;
  sslProtocols: string[];
}

export interface CfS3Origin {
  authMethod: "none";
  customHeaders: CfHeaders;
  domainName: string;
  path: string;
  region: string;
}

export type CfOrigin = { custom: CfCustomOrigin } | { s3: CfS3Origin };

export interface CfRequest {
  body?: CfBody;
  clientIp: string;
  headers: CfHeaders;
  method: string;
  origin?: CfOrigin;
  querystring: string;
  uri: string;
}

export interface CfResponse {
  body?: string;
  bodyEncoding?: "text" | "base64";
  headers: CfHeaders;
  status: string;
  statusDescription: string;
}

export interface EdgeConfig {
  distributionDomainName: string;
  distributionId: string;
  eventType: EdgeEventType;
  requestId: string;
}

export interface EdgeEvent {
  Records: [{ cf: { config: EdgeConfig; request: CfRequest; response?: CfResponse } }];
}

export function edgeEvent(config: EdgeConfig, request: CfRequest, response?: CfResponse): string {
  const cf = response === undefined ? { config, request } : { config, request, response };
  return JSON.stringify({ Records: [{ cf }] });
}

/** Response events carry the request without its body and origin. */
export function requestForResponseEvent(request: CfRequest): CfRequest {
  return {
    clientIp: request.clientIp,
    headers: request.headers,
    method: request.method,
    querystring: request.querystring,
    uri: request.uri,
  };
}
