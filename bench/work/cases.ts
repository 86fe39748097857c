/**
 * The cases of `npm run bench:work`, each a `case` of bench/work/handler.mjs, with issue 25's
 * target for its ratio (isolambda / Node): built-ins at most 3×, SDK calls at most 2×; the
 * interpreter's own work (pure JavaScript, QuickJS's JSON) is reported with no target.
 */
export type Kind = "built-in" | "sdk" | "interpreter";

export interface WorkCase {
  id: string;
  name: string;
  kind: Kind;
  /**
   * Extra event fields: "jwt-rs256" and "jwt-es256" carry a token and its key, "cognito" a Cognito
   * access token and its user pool's JWKS, "sqs" and "s3" an endpoint.
   */
  needs?: "jwt-rs256" | "jwt-es256" | "cognito" | "sqs" | "s3";
}

export const TARGETS: Record<Kind, number | undefined> = { "built-in": 3, sdk: 2, interpreter: undefined };

export const CASES: readonly WorkCase[] = [
  { id: "sha256", name: "createHash sha256, 1 MB", kind: "built-in" },
  { id: "md5", name: "createHash md5, 1 MB", kind: "built-in" },
  { id: "hmac", name: "1,000 × createHmac sha256", kind: "built-in" },
  { id: "base64", name: "Buffer base64 encode + decode, 1 MB", kind: "built-in" },
  { id: "hex", name: "Buffer hex encode + decode, 1 MB", kind: "built-in" },
  { id: "fill", name: "Buffer.alloc(1 MB, 7) + fill('héllo'), 1 MB", kind: "built-in" },
  { id: "search", name: "Buffer indexOf + includes + equals, 1 MB", kind: "built-in" },
  { id: "text", name: "TextEncoder + TextDecoder, 1 MB", kind: "built-in" },
  { id: "gzip", name: "zlib gzipSync + gunzipSync, 400 KB JSON", kind: "built-in" },
  { id: "brotli", name: "brotli compress (quality 4) + decompress, 400 KB JSON", kind: "built-in" },
  { id: "aesGcm", name: "AES-256-GCM encrypt, 1 MB", kind: "built-in" },
  { id: "randomBytes", name: "randomBytes, 1 MB", kind: "built-in" },
  { id: "jsonwebtokenRs256", name: "jsonwebtoken.verify RS256", kind: "built-in", needs: "jwt-rs256" },
  { id: "joseEs256", name: "jose.jwtVerify ES256", kind: "built-in", needs: "jwt-es256" },
  { id: "awsJwtVerify", name: "aws-jwt-verify Cognito RS256, JWKS cached", kind: "built-in", needs: "cognito" },
  { id: "sqsSendMessage", name: "3 × SQS SendMessage of 200 KB with the SDK", kind: "sdk", needs: "sqs" },
  { id: "s3PutObject", name: "S3 PutObject of 1 MB with the SDK (loopback server)", kind: "sdk", needs: "s3" },
  { id: "json", name: "JSON.parse + JSON.stringify, 1 MB", kind: "interpreter" },
  { id: "loop", name: "a 3M-iteration arithmetic loop (pure JS)", kind: "interpreter" },
  { id: "sort", name: "sort 100k numbers (pure JS)", kind: "interpreter" },
];
