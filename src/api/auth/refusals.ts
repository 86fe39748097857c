/**
 * What the API answers a request its auth layer refuses, in the shape of the protocol that was
 * asked: Lambda's REST JSON (`x-amzn-ErrorType`, `{"Type": "User", "message"}`), SQS's AWS JSON 1.0
 * (`__type` and the `x-amzn-query-error` header @aws-sdk/client-sqs names the error from), or SQS's
 * query protocol (an XML ErrorResponse). Lambda and SQS name the same refusals differently.
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { Protocol } from "./operations.js";

/** Each refusal's [Lambda error name, SQS error code, HTTP status]. */
const CODES = {
  missing: ["MissingAuthenticationTokenException", "MissingAuthenticationToken", 403],
  incomplete: ["IncompleteSignatureException", "IncompleteSignature", 403],
  unknownKey: ["UnrecognizedClientException", "InvalidClientTokenId", 403],
  badSignature: ["InvalidSignatureException", "SignatureDoesNotMatch", 403],
  denied: ["AccessDeniedException", "AccessDenied", 403],
  tooLarge: ["RequestEntityTooLargeException", "RequestEntityTooLarge", 413],
} as const;

export type RefusalKind = keyof typeof CODES;

export class Refusal {
  constructor(
    readonly kind: RefusalKind,
    readonly message: string,
  ) {}
}

export const MISSING = new Refusal("missing", "Missing Authentication Token");
export const UNKNOWN_KEY = new Refusal("unknownKey", "The security token included in the request is invalid.");
export const BAD_SIGNATURE = new Refusal(
  "badSignature",
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
);

/** Writes the refusal and drops whatever body the client is still sending. */
export function refuse(outgoing: ServerResponse, protocol: Protocol, refusal: Refusal): void {
  const [lambdaCode, sqsCode, status] = CODES[refusal.kind];
  const requestId = randomUUID();
  let headers: Record<string, string>;
  let body: string;
  if (protocol === "lambda") {
    headers = { "content-type": "application/json", "x-amzn-ErrorType": lambdaCode };
    body = JSON.stringify({ Type: "User", message: refusal.message });
  } else if (protocol === "sqs-json") {
    headers = { "content-type": "application/x-amz-json-1.0", "x-amzn-query-error": `${sqsCode};Sender` };
    body = JSON.stringify({ __type: `com.amazon.coral.service#${sqsCode}`, message: refusal.message });
  } else {
    headers = { "content-type": "text/xml" };
    body =
      `<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type>` +
      `<Code>${sqsCode}</Code><Message>${refusal.message.replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`)}</Message><Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  }
  outgoing.req.resume();
  outgoing.writeHead(status, { ...headers, "x-amzn-RequestId": requestId, "content-length": Buffer.byteLength(body) });
  outgoing.end(body);
}
