/**
 * The CloudFront door: cache behaviors matched by path pattern, each in front of an origin (an HTTP
 * URL or a folder), with up to four Lambda@Edge hooks. A request hook may let the (modified)
 * request continue or answer with a generated response; response hooks may change the response.
 * CloudFront's rules apply: a result it would refuse is a 502 (LambdaValidationError), a function
 * that fails or times out a 503 (LambdaExecutionError), a throttled one a 503 (LambdaLimitExceeded);
 * an unreachable origin is a 502, a slow one a 504. A behavior with a cache policy answers hits from the
 * door's cache (src/doors/edge/cache.ts) without the origin and the origin hooks; viewer hooks run on
 * every request, as "CloudFront events that can trigger a Lambda@Edge function" describes
 * (docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-cloudfront-trigger-events.html).
 */
import { createHash, randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import path from "node:path";
import { Agent } from "undici";
import { ConfigError } from "../../config/error.js";
import type { DoorDeps } from "../shared/deps.js";
import { type Listener, listen } from "../shared/listen.js";
import { wildcard } from "../shared/pattern.js";
import { type DoorRequest, readDoorRequest } from "../shared/request.js";
import { send, sendText } from "../shared/response.js";
import { FunctionTarget, isRecord, parsePayload, payloadText, TIMED_OUT } from "../shared/target.js";
import { edgeRequestId } from "../shared/trace.js";
import { cacheKey, EdgeCache } from "./cache.js";
import { type BehaviorConfig, type EdgeDoorConfig, type EdgeHookName, parseEdgeHook } from "./config.js";
import { type CfRequest, type CfResponse, type EdgeConfig, edgeEvent, requestForResponseEvent } from "./event.js";
import { cfHeadersFromRaw, type EdgeEventType, toOutgoing } from "./headers.js";
import { customOrigin, fetchOrigin, OriginError, readFolder } from "./origin.js";
import { EXPOSED_BODY_MAX, readGeneratedResponse, readRequest, readUpdatedResponse, ValidationError } from "./validate.js";

/** Lambda@Edge quotas that differ by event type: viewer functions 128 MB and 5 s, origin functions 30 s. */
const VIEWER_MEMORY_MAX_MB = 128;
const TIMEOUT_MAX_S: Record<EdgeEventType, number> = {
  "viewer-request": 5,
  "origin-request": 30,
  "origin-response": 30,
  "viewer-response": 5,
};
/** isolambda's own bound on a request body it buffers for the origin (CloudFront streams; we do not). */
const REQUEST_BODY_MAX_BYTES = 50 * 1024 * 1024;

const EVENT_TYPES: Record<EdgeHookName, EdgeEventType> = {
  viewerRequest: "viewer-request",
  originRequest: "origin-request",
  originResponse: "origin-response",
  viewerResponse: "viewer-response",
};

interface Hook {
  target: FunctionTarget;
  eventType: EdgeEventType;
  /** For log lines: which hook of which behavior. */
  label: string;
}

interface Behavior {
  index: number;
  pattern: RegExp;
  config: BehaviorConfig;
  folder?: string;
  originUrl?: URL;
  hooks: Partial<Record<EdgeHookName, Hook>>;
}

/** Why a request ended at the door, as CloudFront's x-cache and error reports name it. */
class EdgeFailure extends Error {
  constructor(
    readonly status: 502 | 503 | 504,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

/** CloudFront IDs in their formats, derived from what identifies the door. */
function distributionOf(config: EdgeDoorConfig, seed: string): { id: string; domainName: string } {
  const hash = createHash("sha256").update(seed).digest();
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  let id = "E";
  for (let i = 0; i < 13; i++) id += alphabet[(hash[i] as number) % alphabet.length];
  const domain = `d${hash.toString("hex", 16, 23).slice(0, 13)}.cloudfront.net`;
  return { id: config.distributionId ?? id, domainName: config.distributionDomainName ?? domain };
}

/** Lambda@Edge's association rules, checked against the registry once the function folders are deployed. */
function checkHook(deps: DoorDeps, ref: string, eventType: EdgeEventType, where: string): void {
  const { name, version } = parseEdgeHook(ref);
  const fn = deps.core.registry.getVersion(name, version);
  if (fn === undefined) throw new ConfigError(`${where}: ${ref} is not a published version of ${name}; Lambda@Edge triggers need one`);
  if (eventType.startsWith("viewer") && fn.memorySize > VIEWER_MEMORY_MAX_MB)
    throw new ConfigError(`${where}: ${ref} has ${fn.memorySize} MB; Lambda@Edge viewer triggers allow at most ${VIEWER_MEMORY_MAX_MB} MB`);
  if (fn.timeout > TIMEOUT_MAX_S[eventType])
    throw new ConfigError(
      `${where}: ${ref} has a ${fn.timeout} s timeout; Lambda@Edge ${eventType} triggers allow at most ${TIMEOUT_MAX_S[eventType]} s`,
    );
  if (Object.keys(fn.environment).length > 0)
    throw new ConfigError(`${where}: ${ref} has environment variables, which Lambda@Edge does not support`);
}

export async function startEdgeDoor(config: EdgeDoorConfig, deps: DoorDeps, where: string): Promise<Listener> {
  const behaviors: Behavior[] = config.behaviors.map((b, i) => {
    const hooks: Behavior["hooks"] = {};
    for (const hookName of Object.keys(EVENT_TYPES) as EdgeHookName[]) {
      const ref = b[hookName];
      if (ref === null || ref === undefined) continue;
      checkHook(deps, ref, EVENT_TYPES[hookName], `${where}.behaviors.${i}.${hookName}`);
      hooks[hookName] = {
        target: new FunctionTarget(deps, ref),
        eventType: EVENT_TYPES[hookName],
        label: `${hookName} ${ref} (behavior ${i} "${b.path}")`,
      };
    }
    // CloudFront: a path pattern's leading slash is optional.
    const pattern = wildcard(b.path.startsWith("/") || b.path.startsWith("*") ? b.path : `/${b.path}`, false);
    return typeof b.origin === "string"
      ? { index: i, pattern, config: b, originUrl: new URL(b.origin), hooks }
      : { index: i, pattern, config: b, folder: path.resolve(b.origin.folder), hooks };
  });
  const cache = behaviors.some((b) => b.config.cache !== undefined) ? new EdgeCache(config.cacheMaxBytes) : undefined;
  const agent = new Agent();
  const distribution = distributionOf(config, `${deps.core.accountId}:${where}:${config.port}`);
  let port = config.port;
  let name = `cloudfront door :${config.port}`;

  const invokeHook = async (hook: Hook, edge: EdgeConfig, request: CfRequest, response?: CfResponse): Promise<Record<string, unknown>> => {
    const outcome = await hook.target.invoke(edgeEvent({ ...edge, eventType: hook.eventType }, request, response), randomUUID(), undefined);
    switch (outcome.kind) {
      case "throttled":
        throw new EdgeFailure(503, "LambdaLimitExceeded", `${hook.label} was throttled (${outcome.reason})`);
      case "not-found":
        throw new EdgeFailure(503, "LambdaExecutionError", `${hook.label}: ${outcome.message}`);
      case "function-error":
        throw new EdgeFailure(
          503,
          "LambdaExecutionError",
          outcome.errorType === TIMED_OUT
            ? `${hook.label} timed out`
            : `${hook.label} failed: ${outcome.errorType}: ${outcome.errorMessage}`,
        );
      case "ok": {
        const result = parsePayload(payloadText(outcome.completed));
        if (!isRecord(result))
          throw new EdgeFailure(
            502,
            "LambdaValidationError",
            `${hook.label} returned ${JSON.stringify(result) ?? "nothing"}, not an object`,
          );
        return result;
      }
    }
  };

  /** Runs a step that validates a hook's result, turning CloudFront's refusals into 502s. */
  const validated = <T>(hook: Hook, read: () => T): T => {
    try {
      return read();
    } catch (error) {
      if (error instanceof ValidationError) throw new EdgeFailure(502, "LambdaValidationError", `${hook.label}: ${error.message}`);
      throw error;
    }
  };

  const exposeBody = (bytes: Buffer, eventType: "viewer-request" | "origin-request") => {
    const max = EXPOSED_BODY_MAX[eventType];
    const shown = bytes.length > max ? bytes.subarray(0, max) : bytes;
    return {
      inputTruncated: bytes.length > max,
      action: "read-only" as const,
      encoding: "base64" as const,
      data: shown.toString("base64"),
    };
  };

  const respond = (outgoing: ServerResponse, res: CfResponse, body: Buffer, requestId: string, xCache: string, age?: number) => {
    const headers = toOutgoing(res.headers);
    headers["x-cache"] = xCache;
    // The seconds a hit spent in the cache (RFC 9111 Age), as CloudFront adds it to hits.
    if (age !== undefined) headers.age = String(age);
    headers.via = `1.1 ${distribution.domainName.split(".")[0]}.cloudfront.net (CloudFront)`;
    headers["x-amz-cf-id"] = requestId;
    send(outgoing, Number(res.status), headers, body, res.statusDescription || undefined);
  };

  const replacedBody = (r: CfRequest) =>
    r.body?.action === "replace" ? Buffer.from(r.body.data, r.body.encoding === "base64" ? "base64" : "utf8") : undefined;

  /** Origin-request hook, the origin (unless the hook answered), origin-response hook. */
  const originStage = async (
    behavior: Behavior,
    edge: EdgeConfig,
    request: CfRequest,
    body: Buffer,
    requestId: string,
  ): Promise<{ response: CfResponse; body: Buffer; generated: boolean }> => {
    const { hooks } = behavior;
    let originRequest = request;
    if (hooks.originRequest) {
      const hook = hooks.originRequest;
      if (behavior.config.includeBody) request.body = exposeBody(body, "origin-request");
      const result = await invokeHook(hook, { ...edge, eventType: "origin-request" }, request);
      if ("status" in result) {
        const out = validated(hook, () => readGeneratedResponse(result, "origin-request"));
        const response = { headers: out.headers, status: String(out.status), statusDescription: out.statusDescription ?? "" };
        return { response, body: out.body, generated: true };
      }
      originRequest = validated(hook, () => readRequest(result, request, "origin-request"));
      body = replacedBody(originRequest) ?? body;
    }
    // An origin-request hook may point the request at another custom origin (dynamic origin selection).
    const origin = originRequest.origin;
    const answer =
      origin !== undefined && "custom" in origin && isRecord(origin.custom)
        ? await fetchOrigin(agent, origin.custom, originRequest, body, origin.custom.readTimeout * 1000, requestId)
        : await readFolder(behavior.folder ?? "", originRequest);
    const response: CfResponse = { headers: answer.headers, status: String(answer.status), statusDescription: answer.statusDescription };
    if (!hooks.originResponse) return { response, body: answer.body, generated: false };
    const hook = hooks.originResponse;
    const result = await invokeHook(hook, { ...edge, eventType: "origin-response" }, requestForResponseEvent(originRequest), response);
    const updated = validated(hook, () => readUpdatedResponse(result, response, "origin-response"));
    return { response: updated.response, body: updated.body ?? answer.body, generated: false };
  };

  const serve = async (outgoing: ServerResponse, req: DoorRequest, requestId: string) => {
    const behavior = behaviors.find((b) => b.pattern.test(req.path));
    if (behavior === undefined) {
      sendText(outgoing, 404, "Not Found", { "x-cache": "Error from cloudfront", "x-amz-cf-id": requestId });
      return;
    }
    const { hooks } = behavior;
    const edge: EdgeConfig = {
      distributionDomainName: distribution.domainName,
      distributionId: distribution.id,
      eventType: "viewer-request",
      requestId,
    };
    let body = req.body;
    let request: CfRequest = {
      clientIp: req.sourceIp,
      headers: cfHeadersFromRaw(req.rawHeaders),
      method: req.method,
      querystring: req.query,
      uri: req.path,
    };
    if (hooks.viewerRequest) {
      const hook = hooks.viewerRequest;
      if (behavior.config.includeBody) request.body = exposeBody(body, "viewer-request");
      const result = await invokeHook(hook, edge, request);
      if ("status" in result) {
        // A viewer-request response goes straight back: no origin, no other hook.
        const generated = validated(hook, () => readGeneratedResponse(result, "viewer-request"));
        const res = { headers: generated.headers, status: String(generated.status), statusDescription: generated.statusDescription ?? "" };
        return respond(outgoing, res, generated.body, requestId, "LambdaGeneratedResponse from cloudfront");
      }
      request = validated(hook, () => readRequest(result, request, "viewer-request"));
      body = replacedBody(request) ?? body;
      delete request.body;
    }
    const viewerRequest = request;
    // The cache is looked up after viewer-request, which may change the cache key, and before anything origin-facing.
    const policy = behavior.config.cache;
    const key = cache === undefined || policy === undefined ? undefined : cacheKey(behavior.index, viewerRequest, policy);
    const hit = key === undefined ? undefined : cache?.get(key);
    if (hit !== undefined) {
      const age = Math.floor((Date.now() - hit.storedAt) / 1000);
      return viewerStage(outgoing, behavior, edge, viewerRequest, hit.response, hit.body, requestId, "Hit from cloudfront", age);
    }

    // On its way to the origin CloudFront adds X-Forwarded-For and Via (read-only from here on).
    const originHeaders = { ...request.headers };
    const forwarded = originHeaders["x-forwarded-for"]?.map((h) => h.value).join(", ");
    originHeaders["x-forwarded-for"] = [
      { key: "X-Forwarded-For", value: forwarded === undefined ? req.sourceIp : `${forwarded}, ${req.sourceIp}` },
    ];
    originHeaders.via = [{ key: "Via", value: `2.0 ${distribution.domainName.split(".")[0]}.cloudfront.net (CloudFront)` }];
    request = { ...request, headers: originHeaders };
    const custom = behavior.originUrl === undefined ? undefined : customOrigin(behavior.originUrl, behavior.config.originTimeoutSeconds);
    request.origin =
      custom === undefined
        ? {
            s3: {
              authMethod: "none",
              customHeaders: {},
              domainName: `${path.basename(behavior.folder ?? "")}.s3.amazonaws.com`,
              path: "",
              region: deps.core.region,
            },
          }
        : { custom };

    const { response, body: responseBody, generated } = await originStage(behavior, edge, request, body, requestId);
    if (key !== undefined && policy !== undefined) cache?.store(key, response, responseBody, policy);
    const xCache = generated ? "LambdaGeneratedResponse from cloudfront" : "Miss from cloudfront";
    return viewerStage(outgoing, behavior, edge, viewerRequest, response, responseBody, requestId, xCache);
  };

  /** The viewer-response hook (on hits too), then the answer; with no hook to run, at once and without a promise. */
  const viewerStage = (
    outgoing: ServerResponse,
    { hooks }: Behavior,
    edge: EdgeConfig,
    viewerRequest: CfRequest,
    response: CfResponse,
    body: Buffer,
    requestId: string,
    xCache: string,
    age?: number,
  ): Promise<void> | undefined => {
    // "CloudFront doesn't execute Lambda functions for viewer response events if the origin returns HTTP status code 400 or higher."
    if (hooks.viewerResponse === undefined || Number(response.status) >= 400) {
      respond(outgoing, response, body, requestId, xCache, age);
      return undefined;
    }
    return viewerResponse(hooks.viewerResponse, outgoing, edge, viewerRequest, response, body, requestId, xCache, age);
  };

  const viewerResponse = async (
    hook: Hook,
    outgoing: ServerResponse,
    edge: EdgeConfig,
    viewerRequest: CfRequest,
    before: CfResponse,
    body: Buffer,
    requestId: string,
    xCache: string,
    age?: number,
  ) => {
    const result = await invokeHook(hook, { ...edge, eventType: "viewer-response" }, requestForResponseEvent(viewerRequest), before);
    const updated = validated(hook, () => readUpdatedResponse(result, before, "viewer-response"));
    let response = updated.response;
    // Viewer-response functions "cannot modify the HTTP status code of the response".
    if (response.status !== before.status) {
      deps.log(`${name}: ${hook.label} changed the status to ${response.status}; viewer-response functions cannot, kept ${before.status}`);
      response = { ...response, status: before.status, statusDescription: before.statusDescription };
    }
    respond(outgoing, response, updated.body ?? body, requestId, xCache, age);
  };

  const listener = await listen(
    name,
    async (incoming, outgoing) => {
      const requestId = edgeRequestId();
      const req = await readDoorRequest(incoming, port, REQUEST_BODY_MAX_BYTES);
      if (req === undefined) {
        deps.log(`${name}: 413 for ${requestId}: request body over ${REQUEST_BODY_MAX_BYTES} bytes`);
        return sendText(outgoing, 413, "Request Entity Too Large", { "x-amz-cf-id": requestId });
      }
      try {
        await serve(outgoing, req, requestId);
      } catch (error) {
        if (error instanceof EdgeFailure) {
          deps.log(`${name}: ${error.status} ${error.errorType} for ${requestId}: ${error.message}`);
          return sendText(outgoing, error.status, `${error.status} ${error.errorType}`, {
            "x-cache": `${error.errorType} from cloudfront`,
            "x-amz-cf-id": requestId,
          });
        }
        if (error instanceof OriginError) {
          const type = error.status === 504 ? "OriginCommError" : "OriginConnectError";
          deps.log(`${name}: ${error.status} ${type} for ${requestId}: ${error.message}`);
          return sendText(outgoing, error.status, `${error.status} ${type}`, {
            "x-cache": "Error from cloudfront",
            "x-amz-cf-id": requestId,
          });
        }
        throw error;
      }
    },
    config.port,
    deps.host,
    deps.log,
  );
  port = listener.port;
  name = `cloudfront door :${port}`;
  return {
    ...listener,
    close: async () => {
      await listener.close();
      await agent.close();
    },
  };
}
