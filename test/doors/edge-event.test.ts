/** Golden tests: Lambda@Edge events and CloudFront's validation of function results. */
import { describe, expect, it } from "vitest";
import { type CfRequest, edgeEvent, requestForResponseEvent } from "../../src/doors/edge/event.js";
import { canonicalKey, cfHeadersFromRaw } from "../../src/doors/edge/headers.js";
import { customOrigin } from "../../src/doors/edge/origin.js";
import { readGeneratedResponse, readRequest, readUpdatedResponse, ValidationError } from "../../src/doors/edge/validate.js";

const CONFIG = {
  distributionDomainName: "d111111abcdef8.cloudfront.net",
  distributionId: "EDFDVBD6EXAMPLE",
  eventType: "viewer-request" as const,
  requestId: "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==",
};

const viewerRequest = (): CfRequest => ({
  clientIp: "203.0.113.178",
  headers: cfHeadersFromRaw([
    "Host",
    "d111111abcdef8.cloudfront.net",
    "User-Agent",
    "curl/8.5.0",
    "accept",
    "*/*",
    "Connection",
    "keep-alive",
  ]),
  method: "GET",
  querystring: "",
  uri: "/",
});

describe("Lambda@Edge events", () => {
  it("builds the documented viewer-request event field by field (disallowed headers not exposed)", () => {
    expect(JSON.parse(edgeEvent(CONFIG, viewerRequest()))).toEqual({
      Records: [
        {
          cf: {
            config: CONFIG,
            request: {
              clientIp: "203.0.113.178",
              headers: {
                host: [{ key: "Host", value: "d111111abcdef8.cloudfront.net" }],
                "user-agent": [{ key: "User-Agent", value: "curl/8.5.0" }],
                accept: [{ key: "accept", value: "*/*" }],
              },
              method: "GET",
              querystring: "",
              uri: "/",
            },
          },
        },
      ],
    });
  });

  it("keeps every value of a repeated header as its own entry", () => {
    expect(cfHeadersFromRaw(["Accept", "a", "accept", "b", "X-Amz-Cf-Id", "hidden", "X-Edge-Location", "hidden"])).toEqual({
      accept: [
        { key: "Accept", value: "a" },
        { key: "accept", value: "b" },
      ],
    });
  });

  it("describes an origin as the documented origin-request event's custom origin", () => {
    expect(customOrigin(new URL("https://example.org"), 30)).toEqual({
      customHeaders: {},
      domainName: "example.org",
      keepaliveTimeout: 5,
      path: "",
      port: 443,
      protocol: "https",
      readTimeout: 30,
      sslProtocols: ["TLSv1.2"],
    });
    expect(customOrigin(new URL("http://127.0.0.1:3000/base/"), 5)).toMatchObject({
      domainName: "127.0.0.1",
      port: 3000,
      path: "/base",
      protocol: "http",
    });
  });

  it("gives response events the request without body and origin, and the response", () => {
    const request = {
      ...viewerRequest(),
      body: { inputTruncated: false, action: "read-only" as const, encoding: "base64" as const, data: "" },
    };
    const response = { headers: { server: [{ key: "Server", value: "MyCustomOrigin" }] }, status: "200", statusDescription: "OK" };
    const event = JSON.parse(edgeEvent({ ...CONFIG, eventType: "origin-response" }, requestForResponseEvent(request), response));
    expect(event.Records[0].cf.response).toEqual(response);
    expect(event.Records[0].cf.request).not.toHaveProperty("body");
    expect(event.Records[0].cf.config.eventType).toBe("origin-response");
  });

  it("capitalizes a missing header key as Lambda@Edge does", () => {
    expect(canonicalKey("content-type")).toBe("Content-Type");
    expect(canonicalKey("x-frame-options")).toBe("X-Frame-Options");
  });
});

describe("CloudFront's validation of function results", () => {
  it("accepts the documented generated redirect, inserting missing keys", () => {
    const out = readGeneratedResponse(
      {
        status: "302",
        statusDescription: "Found",
        headers: { location: [{ key: "Location", value: "/login" }], "cache-control": [{ value: "no-store" }] },
      },
      "viewer-request",
    );
    expect(out).toEqual({
      status: 302,
      statusDescription: "Found",
      headers: { location: [{ key: "Location", value: "/login" }], "cache-control": [{ key: "Cache-Control", value: "no-store" }] },
      body: Buffer.alloc(0),
    });
    expect(readGeneratedResponse({ status: 200, body: "aGk=", bodyEncoding: "base64" }, "viewer-request").body.toString()).toBe("hi");
  });

  it("refuses generated responses CloudFront refuses", () => {
    const refuse = (result: Record<string, unknown>, eventType: "viewer-request" | "origin-request" = "viewer-request") =>
      expect(() => readGeneratedResponse(result, eventType)).toThrow(ValidationError);
    refuse({ status: "199" });
    refuse({ status: 600 });
    refuse({ status: "ok" });
    refuse({ status: 204, body: "x" });
    refuse({ status: 200, body: "not base64!", bodyEncoding: "base64" });
    refuse({ status: 200, body: "x", bodyEncoding: "gzip" });
    refuse({ status: 200, headers: { "x-cache": [{ value: "HIT" }] } });
    refuse({ status: 200, headers: { Location: [{ value: "/" }] } });
    refuse({ status: 200, headers: { location: [{ key: "Loc", value: "/" }] } });
    refuse({ status: 200, headers: { location: "/" } });
    // 40 KB for viewer-request responses, 1 MB for origin-request ones.
    expect(readGeneratedResponse({ status: 200, body: "x".repeat(40 * 1024) }, "viewer-request").body.length).toBe(40 * 1024);
    refuse({ status: 200, body: "x".repeat(40 * 1024 + 1) });
    expect(readGeneratedResponse({ status: 200, body: "x".repeat(40 * 1024 + 1) }, "origin-request").body.length).toBe(40 * 1024 + 1);
    refuse({ status: 200, body: "x".repeat(1024 * 1024 + 1) }, "origin-request");
  });

  it("lets a request continue with a new URI, query string and headers, but not with changed read-only ones", () => {
    const original = viewerRequest();
    const changed = readRequest(
      {
        ...original,
        uri: "/index.html",
        querystring: "a=1",
        headers: { ...original.headers, "x-added": [{ key: "X-Added", value: "1" }] },
      },
      original,
      "viewer-request",
    );
    expect(changed).toMatchObject({ uri: "/index.html", querystring: "a=1", headers: { "x-added": [{ key: "X-Added", value: "1" }] } });
    const refuse = (result: Record<string, unknown>, message: RegExp) =>
      expect(() => readRequest(result, original, "viewer-request")).toThrow(message);
    refuse(
      { ...original, headers: { ...original.headers, host: [{ key: "Host", value: "evil.example" }] } },
      /changes the read-only header host in a viewer-request event/,
    );
    refuse({ ...original, headers: { ...original.headers, "x-real-ip": [{ value: "1.2.3.4" }] } }, /adds the disallowed header x-real-ip/);
    refuse({ ...original, headers: { ...original.headers, "x-edge-origin": [{ value: "x" }] } }, /disallowed header x-edge-origin/);
    refuse({ ...original, uri: "index.html" }, /uri must be a string starting with \//);
    refuse({ ...original, querystring: "a=1#frag" }, /querystring has a space/);
    refuse({ ...original, uri: `/${"x".repeat(8191)}` }, /quota is under 8192/);
    refuse({ ...original, method: "POST" }, /read-only method/);
    // Host may change on the way to the origin; Accept-Encoding may not.
    const origin = { ...original, headers: { ...original.headers, "accept-encoding": [{ key: "Accept-Encoding", value: "gzip" }] } };
    expect(
      readRequest({ ...origin, headers: { ...origin.headers, host: [{ key: "Host", value: "o.example" }] } }, origin, "origin-request")
        .headers.host,
    ).toEqual([{ key: "Host", value: "o.example" }]);
    expect(() => readRequest({ ...origin, headers: { ...origin.headers, "accept-encoding": [] } }, origin, "origin-request")).toThrow(
      /read-only header accept-encoding/,
    );
  });

  it("lets an origin-request function pick another custom origin, checked as CloudFront documents it", () => {
    const original = { ...viewerRequest(), origin: { custom: customOrigin(new URL("http://127.0.0.1:3000"), 30) } };
    const custom = { ...original.origin.custom, domainName: "other.example", port: 8443, protocol: "https", path: "/v2" };
    expect(readRequest({ ...original, origin: { custom } }, original, "origin-request").origin).toEqual({ custom });
    const refuse = (origin: unknown, message: RegExp) =>
      expect(() => readRequest({ ...original, origin }, original, "origin-request")).toThrow(message);
    refuse({ custom, s3: {} }, /both custom and s3/);
    refuse({}, /neither custom nor s3/);
    refuse({ custom: { ...custom, port: 81 } }, /port must be 80, 443 or 1024–65535/);
    refuse({ custom: { ...custom, protocol: "ftp" } }, /protocol must be http or https/);
    refuse({ custom: { ...custom, domainName: "a:1" } }, /domainName must be a host name/);
    refuse({ custom: { ...custom, path: "/v2/" } }, /path must start with \/ and not end with one/);
    refuse({ custom: { ...custom, customHeaders: { "x-cache": [{ value: "1" }] } } }, /adds the disallowed header|disallowed/);
  });

  it("lets response functions change status, headers and body within the rules of their event", () => {
    const original = {
      headers: { "content-type": [{ key: "Content-Type", value: "text/html" }], via: [{ key: "Via", value: "1.1 x" }] },
      status: "200",
      statusDescription: "OK",
    };
    const updated = readUpdatedResponse(
      {
        ...original,
        status: 404,
        statusDescription: "Gone",
        body: "nope",
        headers: { ...original.headers, "x-frame-options": [{ value: "DENY" }] },
      },
      original,
      "origin-response",
    );
    expect(updated.response).toEqual({
      headers: { ...original.headers, "x-frame-options": [{ key: "X-Frame-Options", value: "DENY" }] },
      status: "404",
      statusDescription: "Gone",
    });
    expect(updated.body?.toString()).toBe("nope");
    expect(() =>
      readUpdatedResponse({ ...original, headers: { "content-type": original.headers["content-type"] } }, original, "origin-response"),
    ).toThrow(/read-only header via/);
    expect(() =>
      readUpdatedResponse(
        { ...original, headers: { ...original.headers, "content-encoding": [{ value: "br" }] } },
        original,
        "viewer-response",
      ),
    ).toThrow(/read-only header content-encoding in a viewer-response event/);
    expect(() => readUpdatedResponse({ ...original, body: "x".repeat(40 * 1024) }, original, "viewer-response")).toThrow(
      /40960-byte quota/,
    );
    expect(readUpdatedResponse({ ...original, body: "x".repeat(40 * 1024) }, original, "origin-response").body?.length).toBe(40 * 1024);
  });
});
