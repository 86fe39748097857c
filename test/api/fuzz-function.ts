/**
 * The output-fuzz functions: one buffered handler and one streaming handler whose hostile output is
 * chosen by the event (a case name), shaped for whoever called it: Invoke, an ALB, a function URL or
 * a Lambda@Edge hook. Shared by test/api/output-fuzz.e2e.test.ts and test/doors/output-fuzz.e2e.test.ts.
 */

/**
 * Response heads a caller must refuse (or, for the few marked valid, send as they are): status,
 * statusDescription, headers (one value or a list) and body, in no door's shape yet.
 */
export const HEAD_CASES = {
  "status-0": { status: 0 },
  "status-minus-1": { status: -1 },
  "status-99": { status: 99 },
  "status-1000": { status: 1000 },
  "status-abc": { status: "abc" },
  "status-101": { status: 101 },
  "status-100-body": { status: 100, body: "interim" },
  "status-1.5": { status: 1.5 },
  "desc-crlf": { description: "200 OK\r\nX-Injected: 1" },
  "desc-nul": { description: "200 O\0K" },
  "desc-non-latin1": { description: "200 日本" },
  // Valid: RFC 9110's reason phrase allows obs-text, and Node writes Latin-1 as it is.
  "desc-latin1": { description: "200 Ünï" },
  "name-crlf": { headers: { "x-a\r\nx-injected": "1" } },
  "name-space": { headers: { "x a": "1" } },
  "name-non-latin1": { headers: { "x-日本": "1" } },
  "name-empty": { headers: { "": "1" } },
  "value-crlf": { headers: { "x-a": "1\r\nX-Injected: 1" } },
  "value-lf": { headers: { "x-a": "1\nX-Injected: 1" } },
  "value-nul": { headers: { "x-a": "1\u0000" } },
  "value-non-latin1": { headers: { "x-a": "日本" } },
  "value-huge": { headers: { "x-huge": "x".repeat(200 * 1024) } },
  "values-many": { headers: { "x-many": Array.from({ length: 20_000 }, (_, i) => `v${i}`) } },
  "values-crlf": { headers: { "x-list": ["ok", "bad\r\nX-Injected: 1"] } },
  "204-body": { status: 204, body: "not empty" },
  "304-body": { status: 304, body: "not empty" },
} as const;

export type HeadCase = keyof typeof HEAD_CASES;
export const HEAD_CASE_NAMES = Object.keys(HEAD_CASES) as HeadCase[];

/** Results no caller can use as a response: each ends as a function error or a non-object result. */
export const RESULT_CASES = [
  "cyclic",
  "deep",
  "bigint",
  "undefined",
  "function",
  "lone-surrogate",
  "throw-null",
  "throw-cyclic",
  "throw-crlf",
] as const;
export type ResultCase = (typeof RESULT_CASES)[number];

/** What the streaming handler does; `ct-*` set a content type no HTTP header may carry. */
export const STREAM_CASES = [
  "ct-crlf",
  "ct-lf",
  "ct-nul",
  "ct-non-latin1",
  "bytes-invalid-utf8",
  "throw-after-write",
  "log-hostile",
] as const;
export type StreamCase = (typeof STREAM_CASES)[number];

/** Which case a call asks for: Invoke's `case`, else the last segment of the path a door received. */
const CASE_OF = `function caseOf(event) {
  if (typeof event.case === "string") return event.case;
  const cf = event.Records && event.Records[0] && event.Records[0].cf;
  const path = cf ? cf.request.uri : event.rawPath || event.path || "";
  return decodeURIComponent(path.slice(path.lastIndexOf("/") + 1));
}`;

/** The buffered fuzz function: a head case in the caller's response shape, or a hostile result. */
export const FUZZ_SOURCE = `
const HEADS = ${JSON.stringify(HEAD_CASES)};
${CASE_OF}
function lists(headers) {
  const out = {};
  for (const name in headers) out[name] = Array.isArray(headers[name]) ? headers[name] : [headers[name]];
  return out;
}
function flat(headers) {
  const out = {};
  for (const name in headers) out[name] = Array.isArray(headers[name]) ? headers[name].join(",") : headers[name];
  return out;
}
function shaped(event, head) {
  const status = head.status === undefined ? 200 : head.status;
  const headers = head.headers || {};
  const cf = event.Records && event.Records[0] && event.Records[0].cf;
  if (cf) {
    const cfHeaders = {};
    for (const name in headers) cfHeaders[name] = lists(headers)[name].map((value) => ({ value }));
    const type = cf.config.eventType;
    // Response hooks keep the origin's response and add to it; request hooks generate one.
    const base = type.endsWith("response") ? cf.response : { headers: {} };
    return { ...base, status: String(status), statusDescription: head.description, headers: { ...base.headers, ...cfHeaders }, body: head.body };
  }
  if (event.requestContext && event.requestContext.elb)
    return { statusCode: status, statusDescription: head.description, headers: flat(headers), multiValueHeaders: lists(headers), body: head.body };
  return { statusCode: status, headers: flat(headers), body: head.body };
}
exports.handler = async (event) => {
  const name = caseOf(event);
  if (name === "hello") return event.Records ? event.Records[0].cf.request : { statusCode: 200, body: "hello" };
  if (name in HEADS) return shaped(event, HEADS[name]);
  switch (name) {
    case "cyclic": { const o = { statusCode: 200 }; o.self = o; return o; }
    case "deep": { let o = {}; for (let i = 0; i < 3000; i++) o = { o }; return o; }
    case "bigint": return { statusCode: 200, body: 1n };
    case "undefined": return undefined;
    case "function": return () => 1;
    case "lone-surrogate": return { statusCode: 200, headers: { "x-a": "\\ud800" }, body: "\\udfff" };
    case "throw-null": throw null;
    case "throw-cyclic": { const e = new Error("cyclic"); e.self = e; throw e; }
    case "throw-crlf": { const e = new Error("line\\r\\nX-Injected: 1"); e.name = "Bad\\r\\nName\\u0000"; throw e; }
  }
  throw new Error("unknown case " + name);
};`;

/** The streaming fuzz function: hostile content types and bytes, or a prelude with a head case. */
export const FUZZ_STREAM_SOURCE = `
const HEADS = ${JSON.stringify(HEAD_CASES)};
${CASE_OF}
exports.handler = awslambda.streamifyResponse(async (event, stream) => {
  const name = caseOf(event);
  if (name in HEADS) {
    const head = HEADS[name];
    const prelude = { statusCode: head.status === undefined ? 200 : head.status, headers: {} };
    for (const h in head.headers || {}) prelude.headers[h] = [].concat(head.headers[h]).join(",");
    stream = awslambda.HttpResponseStream.from(stream, prelude);
    stream.end(head.body === undefined ? "" : head.body);
    return;
  }
  switch (name) {
    case "ct-crlf": stream.setContentType("text/plain\\r\\nX-Injected: 1"); break;
    case "ct-lf": stream.setContentType("text/plain\\nX-Injected: 1"); break;
    case "ct-nul": stream.setContentType("text/plain\\u0000"); break;
    case "ct-non-latin1": stream.setContentType("text/日本"); break;
    case "bytes-invalid-utf8": stream.setContentType("text/plain"); stream.end(Buffer.from([0xff, 0xfe, 0xc3, 0x28])); return;
    case "throw-after-write": stream.setContentType("text/plain"); stream.write("partial"); throw new Error("after\\r\\nwrite");
    case "log-hostile": console.log("a\\r\\nb\\u0000" + "z".repeat(300 * 1024)); stream.setContentType("text/plain"); stream.end("logged"); return;
    case "hello": stream.setContentType("text/plain"); stream.end("hello"); return;
    case "drip":
      stream.setContentType("text/plain");
      for (let i = 0; i < 10; i++) { stream.write("drop " + i); await new Promise((r) => setTimeout(r, 30)); }
      stream.end();
      console.log("drip done");
      return;
    default: throw new Error("unknown case " + name);
  }
  stream.write("x");
  stream.end();
});`;
