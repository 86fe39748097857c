/**
 * What ELB makes of a Lambda target's response ("Respond to the load balancer"): statusCode,
 * statusDescription ("200 OK": code and reason phrase), headers — or multiValueHeaders when the
 * target group has multi-value headers on — body and isBase64Encoded. Anything ELB cannot use is
 * a 502 (ELB troubleshooting, HTTP 502): so is a head Node would refuse to write, an interim (1xx)
 * status, a 204 or 304 with a body, and headers over ELB's quotas.
 */
import type { OutgoingHttpHeaders } from "node:http";
import { headProblem, statusProblem } from "../shared/http-validate.js";
import { HOP_BY_HOP } from "../shared/response.js";
import { isRecord, parsePayload } from "../shared/target.js";

/** ELB: "The maximum size of the response JSON that the Lambda function can send is 1 MB." */
export const ALB_RESPONSE_MAX_BYTES = 1024 * 1024;

/** ELB's HTTP header quotas: "Single header 16K, Entire response header 32K". */
const ALB_HEAD_LIMITS = { headerMaxBytes: 16 * 1024, headMaxBytes: 32 * 1024 };

export class MalformedResponse extends Error {}

export interface AlbAnswer {
  status: number;
  reason?: string;
  headers: OutgoingHttpHeaders;
  body: Buffer | string;
}

function scalar(value: unknown, where: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new MalformedResponse(`${where} is not a string`);
}

export function translateAlbResponse(payload: string, multiValue: boolean): AlbAnswer {
  const bytes = Buffer.byteLength(payload);
  if (bytes > ALB_RESPONSE_MAX_BYTES) throw new MalformedResponse(`the response JSON is ${bytes} bytes, over ELB's 1 MB limit`);
  const response = parsePayload(payload);
  if (!isRecord(response)) throw new MalformedResponse("the response is not a JSON object");
  const code =
    typeof response.statusCode === "string" && /^\d{3}$/.test(response.statusCode) ? Number(response.statusCode) : response.statusCode;
  if (typeof code !== "number" || statusProblem(code) !== undefined)
    throw new MalformedResponse(
      `statusCode ${JSON.stringify(response.statusCode)} is missing or not an HTTP status for a response (200–599)`,
    );

  let reason: string | undefined;
  if (typeof response.statusDescription === "string") {
    // "The statusDescription must contain the status code and reason phrase, separated by a single space."
    const space = response.statusDescription.indexOf(" ");
    if (space > 0 && response.statusDescription.slice(0, space) === String(code)) reason = response.statusDescription.slice(space + 1);
  }

  const headers: OutgoingHttpHeaders = {};
  // "You must use multiValueHeaders if you have enabled multi-value headers and headers otherwise."
  const field = multiValue ? "multiValueHeaders" : "headers";
  const given = response[field];
  if (given !== undefined && given !== null) {
    if (!isRecord(given)) throw new MalformedResponse(`${field} is not an object`);
    for (const name in given) {
      const lower = name.toLowerCase();
      const value = given[name];
      if (HOP_BY_HOP.has(lower)) continue;
      if (multiValue) {
        if (!Array.isArray(value)) throw new MalformedResponse(`multiValueHeaders.${name} is not an array`);
        headers[lower] = value.map((v, i) => scalar(v, `multiValueHeaders.${name}[${i}]`));
      } else headers[lower] = scalar(value, `headers.${name}`);
    }
  }

  let body: Buffer | string = "";
  if (response.body !== undefined && response.body !== null) {
    if (typeof response.body !== "string") throw new MalformedResponse("body is not a string");
    body = response.isBase64Encoded === true ? Buffer.from(response.body, "base64") : response.body;
  }
  const problem = headProblem(code, reason, headers, typeof body === "string" ? Buffer.byteLength(body) : body.length, ALB_HEAD_LIMITS);
  if (problem !== undefined) throw new MalformedResponse(problem);
  return { status: code, reason, headers, body };
}
