/**
 * The API port's auth layer, ahead of every route (Invoke's node:http route and the Hono app): the
 * browser checks (Host, Origin, Sec-Fetch-Site), SigV4 when it is on, and what a function's
 * own requests may do. A request passes on synchronously unless its signature must be checked.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { readBody } from "../../doors/shared/request.js";
import type { FunctionCaller } from "../../lambda/environment.js";
import { CALLER_HEADER } from "../../sandbox/index.js";
import { crossSite, hostCheck } from "./browser.js";
import type { FunctionCredentials } from "./function-credentials.js";
import { isDataPlane, lambdaActionOf, type Protocol, protocolOf } from "./operations.js";
import { BAD_SIGNATURE, MISSING, Refusal, refuse, UNKNOWN_KEY } from "./refusals.js";
import { claimOf, type ReceivedRequest, signatureMatches, staleness } from "./sigv4.js";

export { FunctionCredentials } from "./function-credentials.js";

/** `none`: anyone on the port may call (browsers excepted); `sigv4`: every call is signed with a known key. */
export interface AuthSettings {
  mode: "none" | "sigv4";
  /** Access keys that may call everything. */
  credentials: { accessKeyId: string; secretAccessKey: string }[];
}

/** The execution role whose functions may call the whole API with their own credentials. */
export const ADMIN_ROLE_NAME = "isolambda-admin";

/** The largest request Lambda takes: CreateFunction with a 50 MB zip, base64-encoded in JSON. */
const SIGNED_BODY_LIMIT = 70 * 1024 * 1024;

export interface GateOptions {
  settings: AuthSettings;
  functions: FunctionCredentials;
  region: string;
  accountId: string;
  /** The --host the server listens on. */
  listenHost: string;
}

function headerMap(raw: string[]): Map<string, string> {
  const headers = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = (raw[i + 1] as string).trim();
    const known = headers.get(name);
    headers.set(name, known === undefined ? value : `${known},${value}`);
  }
  return headers;
}

/** A listener that hands each request to `next`, or answers it with the protocol's refusal. */
export function authGate(options: GateOptions, next: (incoming: IncomingMessage, outgoing: ServerResponse) => void): RequestListener {
  const keys = new Map(options.settings.credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
  const { functions } = options;
  const foreignHost = hostCheck(options.listenHost);

  /** The function a request speaks for: stamped by the sandbox's fetch, or carrying its session token. */
  const callerOf = (incoming: IncomingMessage, query: string): FunctionCaller | undefined => {
    const stamp = incoming.headers[CALLER_HEADER];
    const stamped = typeof stamp === "string" ? functions.callerOf(stamp) : undefined;
    if (stamped !== undefined) return stamped;
    const token =
      incoming.headers["x-amz-security-token"] ??
      (query.includes("X-Amz-Security-Token=") ? (new URLSearchParams(query).get("X-Amz-Security-Token") ?? undefined) : undefined);
    return typeof token === "string" ? functions.callerOf(token) : undefined;
  };

  /** A function's credentials reach the data plane; the rest only with the admin role. */
  const forbidden = (caller: FunctionCaller, protocol: Protocol, method: string | undefined, path: string, query: string) => {
    if (isDataPlane(protocol, method, path)) return undefined;
    const roleName = caller.role.slice(caller.role.lastIndexOf("/") + 1);
    if (roleName === ADMIN_ROLE_NAME) return undefined;
    const { action, resource } = lambdaActionOf(method, path, query, options);
    return new Refusal(
      "denied",
      `User: arn:aws:sts::${options.accountId}:assumed-role/${roleName}/${caller.functionName} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
    );
  };

  /** The signature checked against the key it names; the body is read (within Lambda's limit) to hash it. */
  const authenticate = async (incoming: IncomingMessage, request: ReceivedRequest): Promise<Refusal | undefined> => {
    const claim = claimOf(request);
    if (claim === undefined) return MISSING;
    if (claim instanceof Refusal) return claim;
    const fromFunction = claim.sessionToken === undefined ? undefined : functions.callerOf(claim.sessionToken);
    const secret =
      fromFunction?.accessKeyId === claim.accessKeyId ? functions.secretAccessKeyOf(claim.accessKeyId) : keys.get(claim.accessKeyId);
    if (secret === undefined) return UNKNOWN_KEY;
    const stale = staleness(claim);
    if (stale !== undefined) return stale;
    const body = await readBody(incoming, SIGNED_BODY_LIMIT);
    if (body === undefined) return new Refusal("tooLarge", `Request must be smaller than ${SIGNED_BODY_LIMIT} bytes`);
    // The routes read the body from here (@hono/node-server's convention, which Invoke's reader follows).
    (incoming as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
    return (await signatureMatches(claim, secret, request, body)) ? undefined : BAD_SIGNATURE;
  };

  /** Passes the request on unless it comes from a function that may not make this call. */
  const authorize = (incoming: IncomingMessage, outgoing: ServerResponse, protocol: Protocol, path: string, query: string) => {
    const caller = callerOf(incoming, query);
    const denied = caller === undefined ? undefined : forbidden(caller, protocol, incoming.method, path, query);
    if (denied === undefined) next(incoming, outgoing);
    else refuse(outgoing, protocol, denied);
  };

  return (incoming, outgoing) => {
    const url = incoming.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? "" : url.slice(q + 1);
    const target = incoming.headers["x-amz-target"];
    const protocol = protocolOf(incoming.method, path, typeof target === "string" ? target : undefined);
    const browser = foreignHost(incoming.headers.host) ?? crossSite(incoming.headers);
    if (browser !== undefined) return refuse(outgoing, protocol, browser);
    if (options.settings.mode === "none") return authorize(incoming, outgoing, protocol, path, query);
    const request = { method: incoming.method ?? "GET", path, query, headers: headerMap(incoming.rawHeaders) };
    authenticate(incoming, request).then(
      (refusal) => (refusal === undefined ? authorize(incoming, outgoing, protocol, path, query) : refuse(outgoing, protocol, refusal)),
      (error: unknown) => {
        // A body cut short is the client's doing; anything else is a bug the operator must see.
        if (!incoming.destroyed) console.error("isolambda: internal error checking a signature:", error);
        outgoing.destroy();
      },
    );
  };
}
