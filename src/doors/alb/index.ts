/**
 * The ALB door: a listener whose rules forward to Lambda target groups, as an Application Load
 * Balancer with Lambda targets does. Errors are ELB's: a request body over 1 MB is 413; a function
 * error, a timeout, a throttle, a malformed or too large response is 502 ("The target is a Lambda
 * function that returned an error or the function was throttled by the Lambda service"); a target
 * group without a function behind it is 503.
 */
import { createHash, randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { DoorDeps } from "../shared/deps.js";
import { type Listener, listen } from "../shared/listen.js";
import { lastHeader, readDoorRequest } from "../shared/request.js";
import { send, sendText } from "../shared/response.js";
import { FunctionTarget, payloadText, TIMED_OUT } from "../shared/target.js";
import { rootTraceId } from "../shared/trace.js";
import type { AlbDoorConfig } from "./config.js";
import { buildAlbEvent } from "./event.js";
import { MalformedResponse, translateAlbResponse } from "./response.js";
import { type CompiledRule, compileRule, route, sortRules } from "./rules.js";

/** ELB: "The maximum size of the request body that you can send to a Lambda function is 1 MB." */
export const ALB_REQUEST_MAX_BYTES = 1024 * 1024;

interface TargetGroup {
  target: FunctionTarget;
  arn: string;
}

type Action = TargetGroup | { fixed: { statusCode: number; contentType: string; messageBody: string } };

/** A target group ARN for a function target: name from the function, id from the target spec. */
export function targetGroupArn(region: string, accountId: string, spec: string): string {
  // Target group names: at most 32 letters, digits and hyphens.
  const name = spec.replace(/[^a-zA-Z0-9-]/g, "-").slice(0, 32);
  const id = createHash("sha256").update(spec).digest("hex").slice(0, 16);
  return `arn:aws:elasticloadbalancing:${region}:${accountId}:targetgroup/${name}/${id}`;
}

/** Headers ELB puts on the responses it generates itself. */
const ELB_HEADERS = { server: "awselb/2.0" };

export async function startAlbDoor(config: AlbDoorConfig, deps: DoorDeps): Promise<Listener> {
  const groups = new Map<string, TargetGroup>();
  const group = (spec: string): TargetGroup => {
    let g = groups.get(spec);
    if (g === undefined) {
      g = { target: new FunctionTarget(deps, spec), arn: targetGroupArn(deps.core.region, deps.core.accountId, spec) };
      groups.set(spec, g);
    }
    return g;
  };
  const rules: CompiledRule<Action>[] = sortRules(config.rules.map((rule) => compileRule<Action>(rule, group(rule.target))));
  const fallback: Action =
    config.defaultAction === undefined
      ? { fixed: { statusCode: 404, contentType: "text/plain; charset=utf-8", messageBody: "Not Found" } }
      : "target" in config.defaultAction
        ? group(config.defaultAction.target)
        : { fixed: config.defaultAction.fixedResponse };
  const multiValue = config.multiValueHeaders;
  let port = config.port;
  let name = `alb door :${config.port}`;

  const fail = (outgoing: ServerResponse, status: number, text: string, why: string) => {
    deps.log(`${name}: ${status} ${why}`);
    sendText(outgoing, status, `${status} ${text}`, ELB_HEADERS);
  };

  const forward = async (outgoing: ServerResponse, group: TargetGroup, event: string, requestId: string, traceId: string) => {
    const outcome = await group.target.invoke(event, requestId, traceId);
    const to = `${group.target} (request ${requestId})`;
    switch (outcome.kind) {
      case "throttled":
        return fail(outgoing, 502, "Bad Gateway", `${to}: the function was throttled (${outcome.reason})`);
      case "not-found":
        return fail(outgoing, 503, "Service Temporarily Unavailable", `${to}: no function behind the target group (${outcome.message})`);
      case "function-error":
        return fail(
          outgoing,
          502,
          "Bad Gateway",
          outcome.errorType === TIMED_OUT
            ? `${to}: the function did not respond before its timeout`
            : `${to}: the function returned an error (${outcome.errorType}: ${outcome.errorMessage})`,
        );
      case "ok":
        try {
          const answer = translateAlbResponse(payloadText(outcome.completed), multiValue);
          return send(outgoing, answer.status, answer.headers, answer.body, answer.reason);
        } catch (error) {
          if (!(error instanceof MalformedResponse)) throw error;
          return fail(outgoing, 502, "Bad Gateway", `${to}: invalid response: ${error.message}`);
        }
    }
  };

  const listener = await listen(
    name,
    async (incoming, outgoing) => {
      // ELB refuses these itself: WebSockets to Lambda targets (400) and TRACE (405).
      if (incoming.headers.upgrade !== undefined) return fail(outgoing, 400, "Bad Request", "WebSocket upgrade to a Lambda target");
      if (incoming.method === "TRACE") return fail(outgoing, 405, "Method Not Allowed", "TRACE");
      const req = await readDoorRequest(incoming, port, ALB_REQUEST_MAX_BYTES);
      if (req === undefined) return fail(outgoing, 413, "Request Entity Too Large", `request body over ${ALB_REQUEST_MAX_BYTES} bytes`);
      const action = route(rules, req) ?? fallback;
      if ("fixed" in action) {
        const { statusCode, contentType, messageBody } = action.fixed;
        return send(outgoing, statusCode, { "content-type": contentType, ...ELB_HEADERS }, messageBody);
      }
      const traceId = lastHeader(req.rawHeaders, "x-amzn-trace-id") ?? rootTraceId();
      const event = JSON.stringify(buildAlbEvent(req, { targetGroupArn: action.arn, multiValue, traceId }));
      await forward(outgoing, action, event, randomUUID(), traceId);
    },
    config.port,
    deps.host,
    deps.log,
  );
  port = listener.port;
  name = `alb door :${port}`;
  return listener;
}
