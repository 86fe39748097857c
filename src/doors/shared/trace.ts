/** Trace and request ids in the formats AWS's HTTP front doors generate. */
import { randomFillSync } from "node:crypto";

/** Random bytes from a pooled buffer: one call into the CSPRNG per many ids instead of one per id. */
const pool = Buffer.alloc(4096);
let offset = pool.length;
function randomBytes(n: number): { buffer: Buffer; start: number } {
  if (offset + n > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  offset += n;
  return { buffer: pool, start: offset - n };
}

/** The X-Ray header ELB adds to a request that has none: `Root=1-{epoch hex}-{96-bit random hex}`. */
export function rootTraceId(now = Date.now()): string {
  const { buffer, start } = randomBytes(12);
  const epoch = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, "0");
  return `Root=1-${epoch}-${buffer.toString("hex", start, start + 12)}`;
}

/** CloudFront's request id (x-amz-cf-id): 40 random bytes, URL-safe base64 with padding. */
export function edgeRequestId(): string {
  const { buffer, start } = randomBytes(40);
  return buffer
    .toString("base64", start, start + 40)
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}
