/**
 * AuthType AWS_IAM ("Security and auth model for Lambda function URLs"; "Invoking Lambda function
 * URLs"): every request must be signed with SigV4, in the Authorization header or as a presigned
 * query. isolambda accepts any credentials unless --auth sigv4 is on, so a signature is looked for, not
 * checked; the caller it names fills requestContext.authorizer.iam.
 */
import type { OutgoingHttpHeaders } from "node:http";
import { lastHeader } from "../shared/request.js";

/** requestContext.authorizer as payload 2.0 fills it for an IAM-authorized function URL request. */
export interface IamAuthorizer {
  iam: {
    accessKey: string;
    accountId: string;
    callerId: string;
    cognitoIdentity: null;
    principalOrgId: null;
    userArn: string;
    userId: string;
  };
}

/** What Lambda answers a request its auth layer refuses, before any function runs. */
export const FORBIDDEN = {
  status: 403,
  headers: { "content-type": "application/json", "x-amzn-errortype": "AccessDeniedException" } as OutgoingHttpHeaders,
  body: JSON.stringify({
    Message:
      "Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
  }),
};

const ALGORITHM = "AWS4-HMAC-SHA256";

/** The access key id of a SigV4 credential scope (`AKID/20250101/us-east-1/lambda/aws4_request`). */
function accessKeyOf(credential: string | null | undefined): string | undefined {
  if (credential === undefined || credential === null) return undefined;
  const slash = credential.indexOf("/");
  return slash > 0 ? credential.slice(0, slash) : undefined;
}

/** `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`: the access key, when all three are there. */
function fromHeader(authorization: string): string | undefined {
  if (!authorization.startsWith(`${ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of authorization.slice(ALGORITHM.length + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  if (!fields.get("SignedHeaders") || !fields.get("Signature")) return undefined;
  return accessKeyOf(fields.get("Credential"));
}

/** A presigned URL: X-Amz-Algorithm, X-Amz-Credential, X-Amz-SignedHeaders and X-Amz-Signature in the query. */
function fromQuery(query: string): string | undefined {
  if (!query.includes("X-Amz-Signature=")) return undefined;
  const params = new URLSearchParams(query);
  if (params.get("X-Amz-Algorithm") !== ALGORITHM || !params.get("X-Amz-Signature") || !params.get("X-Amz-SignedHeaders")) return undefined;
  return accessKeyOf(params.get("X-Amz-Credential"));
}

/**
 * The caller of a signed request, or undefined when the request is not signed. Any key is taken
 * for the account's root user, the identity isolambda's single account has.
 */
export function iamCaller(rawHeaders: string[], query: string, accountId: string): IamAuthorizer | undefined {
  const authorization = lastHeader(rawHeaders, "authorization");
  const accessKey = authorization === undefined ? fromQuery(query) : fromHeader(authorization);
  if (accessKey === undefined) return undefined;
  return {
    iam: {
      accessKey,
      accountId,
      // The root user's id is its account id, as STS GetCallerIdentity reports it.
      callerId: accountId,
      cognitoIdentity: null,
      principalOrgId: null,
      userArn: `arn:aws:iam::${accountId}:root`,
      userId: accountId,
    },
  };
}
