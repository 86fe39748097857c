/**
 * Signature Version 4, checked by signing the received request again with the claimed key's
 * secret, the same date, scope and signed headers, through @smithy/signature-v4 (the AWS SDK's own
 * signer), and comparing the two signatures in constant time. Both forms: the Authorization header
 * and a presigned URL's X-Amz-* query.
 */
import { createHash, createHmac, type Hash, type Hmac, timingSafeEqual } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { Refusal } from "./refusals.js";

const ALGORITHM = "AWS4-HMAC-SHA256";
/** AWS refuses a request signed more than 15 minutes before or after its own clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;
/** A presigned URL lives at most a week. */
const MAX_PRESIGNED_SECONDS = 7 * 24 * 60 * 60;
const AUTH_QUERY_PARAMS = new Set([
  "X-Amz-Algorithm",
  "X-Amz-Credential",
  "X-Amz-Date",
  "X-Amz-Expires",
  "X-Amz-SignedHeaders",
  "X-Amz-Signature",
  "X-Amz-Security-Token",
]);

/** What a request says about its signature, before anything is checked. */
export interface SignatureClaim {
  accessKeyId: string;
  region: string;
  service: string;
  /** X-Amz-Date: 20250131T120000Z. */
  amzDate: string;
  signedHeaders: string[];
  signature: string;
  sessionToken: string | undefined;
  /** X-Amz-Expires of a presigned URL, in seconds; undefined for the Authorization header. */
  expiresIn: number | undefined;
}

/** The parts of a received request the signature covers. */
export interface ReceivedRequest {
  method: string;
  /** As sent, still percent-encoded: SigV4 encodes each segment once more. */
  path: string;
  /** The query as sent, without the `?`. */
  query: string;
  /** Lower-case names; a repeated header's values joined with commas, as SigV4 canonicalizes them. */
  headers: Map<string, string>;
}

/** The hash and HMAC @smithy/signature-v4 asks for, over node:crypto. */
class Sha256 {
  readonly #hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash =
      secret === undefined
        ? createHash("sha256")
        : createHmac("sha256", typeof secret === "string" ? secret : Buffer.from(secret as Uint8Array));
  }
  update(data: Uint8Array): void {
    this.#hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.#hash.digest());
  }
}

/** The query as SigV4 canonicalizes it: every name with its values, decoded once ('+' is not a space). */
function queryParams(query: string): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const pair of query.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const [name, value] = (eq === -1 ? [pair, ""] : [pair.slice(0, eq), pair.slice(eq + 1)]).map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    }) as [string, string];
    const known = params[name];
    params[name] = known === undefined ? value : Array.isArray(known) ? [...known, value] : [known, value];
  }
  return params;
}

function incomplete(message: string): Refusal {
  return new Refusal("incomplete", message);
}

/** `AKID/20250131/us-east-1/lambda/aws4_request` → its parts, or a refusal naming what is wrong. */
function scopeOf(credential: string | undefined): Pick<SignatureClaim, "accessKeyId" | "region" | "service"> | Refusal {
  const parts = credential?.split("/") ?? [];
  const [accessKeyId, , region, service, terminator] = parts;
  if (parts.length !== 5 || !accessKeyId || !region || !service || terminator !== "aws4_request") {
    return incomplete(
      `Credential should be scoped to a valid scope of the form <key>/<date>/<region>/<service>/aws4_request, not '${credential}'.`,
    );
  }
  return { accessKeyId, region, service };
}

/**
 * The signature a request claims, from its Authorization header or presigned query; undefined when
 * it carries none, a refusal when what it carries is malformed.
 */
export function claimOf(request: ReceivedRequest): SignatureClaim | Refusal | undefined {
  const authorization = request.headers.get("authorization");
  if (authorization !== undefined) {
    if (!authorization.startsWith(`${ALGORITHM} `)) return incomplete(`Authorization header requires the ${ALGORITHM} algorithm.`);
    const fields = new Map<string, string>();
    for (const part of authorization.slice(ALGORITHM.length + 1).split(",")) {
      const eq = part.indexOf("=");
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    for (const field of ["Credential", "SignedHeaders", "Signature"]) {
      if (!fields.get(field)) return incomplete(`Authorization header requires '${field}' parameter. Authorization=${authorization}`);
    }
    const amzDate = request.headers.get("x-amz-date");
    if (amzDate === undefined) return incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    const scope = scopeOf(fields.get("Credential"));
    if (scope instanceof Refusal) return scope;
    return {
      ...scope,
      amzDate,
      signedHeaders: (fields.get("SignedHeaders") as string).split(";"),
      signature: fields.get("Signature") as string,
      sessionToken: request.headers.get("x-amz-security-token"),
      expiresIn: undefined,
    };
  }
  if (!request.query.includes("X-Amz-Signature=")) return undefined;
  const params = new URLSearchParams(request.query);
  const missing = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders"].find((p) => !params.get(p));
  if (missing !== undefined)
    return incomplete(`AWS query-string parameters must include '${missing}'. Re-examine the query-string parameters.`);
  const scope = scopeOf(params.get("X-Amz-Credential") ?? undefined);
  if (scope instanceof Refusal) return scope;
  return {
    ...scope,
    amzDate: params.get("X-Amz-Date") as string,
    signedHeaders: (params.get("X-Amz-SignedHeaders") as string).split(";"),
    signature: params.get("X-Amz-Signature") as string,
    sessionToken: params.get("X-Amz-Security-Token") ?? undefined,
    expiresIn: Number(params.get("X-Amz-Expires")),
  };
}

function dateOf(amzDate: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s));
}

const compact = (date: Date) => date.toISOString().replace(/[-:]|\.\d{3}/g, "");

/** AWS's refusal of a request signed too long ago, or for later (or a presigned URL past its expiry). */
export function staleness(claim: SignatureClaim, now = new Date()): Refusal | undefined {
  const signed = dateOf(claim.amzDate);
  if (signed === undefined) return incomplete(`Date must be in ISO-8601 'basic format'. Got '${claim.amzDate}'.`);
  if (claim.expiresIn !== undefined) {
    if (!(claim.expiresIn > 0 && claim.expiresIn <= MAX_PRESIGNED_SECONDS)) {
      return incomplete(`X-Amz-Expires must be a number of seconds from 1 to ${MAX_PRESIGNED_SECONDS} (a week).`);
    }
    return now.getTime() > signed.getTime() + claim.expiresIn * 1000 ? new Refusal("badSignature", "Request has expired.") : undefined;
  }
  if (signed.getTime() < now.getTime() - MAX_SKEW_MS) {
    const earliest = new Date(now.getTime() - MAX_SKEW_MS);
    return new Refusal(
      "badSignature",
      `Signature expired: ${claim.amzDate} is now earlier than ${compact(earliest)} (${compact(now)} - 15 min.)`,
    );
  }
  if (signed.getTime() > now.getTime() + MAX_SKEW_MS) {
    const latest = new Date(now.getTime() + MAX_SKEW_MS);
    return new Refusal(
      "badSignature",
      `Signature not yet current: ${claim.amzDate} is still later than ${compact(latest)} (${compact(now)} + 15 min.)`,
    );
  }
  return undefined;
}

/** Whether `claim` is the signature of `request` and `body` under `secretAccessKey`. */
export async function signatureMatches(
  claim: SignatureClaim,
  secretAccessKey: string,
  request: ReceivedRequest,
  body: Uint8Array,
): Promise<boolean> {
  const signable = new Set(claim.signedHeaders);
  // The signer puts the token back where it came from: the query of a presigned URL, or a header
  // (which the client may have left unsigned).
  const presigned = claim.expiresIn !== undefined;
  const sessionToken = presigned || signable.has("x-amz-security-token") ? claim.sessionToken : undefined;
  const signer = new SignatureV4({
    credentials: { accessKeyId: claim.accessKeyId, secretAccessKey, sessionToken },
    region: claim.region,
    service: claim.service,
    sha256: Sha256,
    // The received x-amz-content-sha256, when signed, is among the headers already.
    applyChecksum: false,
  });
  const headers: Record<string, string> = {};
  for (const name of claim.signedHeaders) {
    const value = request.headers.get(name);
    if (value !== undefined) headers[name] = value;
  }
  // The signer takes a signed payload hash as given: it must be the body's.
  const declared = headers["x-amz-content-sha256"];
  if (declared !== undefined && declared !== createHash("sha256").update(body).digest("hex")) return false;
  const query = queryParams(request.query);
  const options = {
    signingDate: dateOf(claim.amzDate),
    signableHeaders: signable,
    signingRegion: claim.region,
    signingService: claim.service,
  };
  let computed: string | undefined;
  if (!presigned) {
    // The signer adds these two itself, from the date and the credentials.
    delete headers["x-amz-date"];
    delete headers["x-amz-security-token"];
    const signed = await signer.sign(
      { method: request.method, protocol: "http:", hostname: "", path: request.path, query, headers, body },
      options,
    );
    computed = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization))?.[1];
  } else {
    for (const param of AUTH_QUERY_PARAMS) delete query[param];
    const signed = await signer.presign(
      { method: request.method, protocol: "http:", hostname: "", path: request.path, query, headers, body },
      { ...options, expiresIn: claim.expiresIn, unhoistableHeaders: signable },
    );
    computed = String(signed.query?.["X-Amz-Signature"]);
  }
  if (computed === undefined) return false;
  const given = Buffer.from(claim.signature);
  const expected = Buffer.from(computed);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
