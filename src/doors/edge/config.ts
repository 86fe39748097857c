/**
 * The CloudFront door's config: cache behaviors by path pattern, each with an origin (an HTTP URL
 * or a static folder) and up to four Lambda@Edge hooks. Lambda@Edge only accepts a published,
 * numbered version as a trigger (not $LATEST, not an alias), so anything else is refused here.
 */
import { z } from "zod";
import { port } from "../shared/config.js";

/** CloudFront: triggers reference `function:version` with a numbered version. */
const EDGE_HOOK = /^([a-zA-Z0-9-_]{1,64}):([1-9]\d*)$/;

const hook = z
  .string()
  .nullable()
  .optional()
  .superRefine((value, ctx) => {
    if (value === null || value === undefined || EDGE_HOOK.test(value)) return;
    const qualifier = value.includes(":") ? value.slice(value.indexOf(":") + 1) : undefined;
    const why =
      qualifier === undefined
        ? "has no version"
        : qualifier === "$LATEST"
          ? "references $LATEST"
          : /^\d+$/.test(qualifier)
            ? "is not a valid version number"
            : `references the alias "${qualifier}"`;
    ctx.addIssue({
      code: "custom",
      message: `"${value}" ${why}; Lambda@Edge triggers must reference a published numbered version, such as auth:3`,
    });
  });

const origin = z.union([
  z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), "an http:// or https:// URL"),
  z.object({ folder: z.string().min(1) }).strict(),
]);

const behavior = z
  .object({
    /** CloudFront path pattern: case-sensitive, `*` and `?` wildcards; behaviors are tried in order. */
    path: z.string().min(1).max(255),
    origin,
    viewerRequest: hook,
    originRequest: hook,
    originResponse: hook,
    viewerResponse: hook,
    /** The trigger's include-body option: request hooks see the body (base64, truncated at the quota). */
    includeBody: z.boolean().default(false),
    /** The origin's response timeout (CloudFront: 1–120 s, default 30). */
    originTimeoutSeconds: z.number().min(1).max(120).default(30),
  })
  .strict();

export const EdgeDoorSchema = z
  .object({
    type: z.literal("cloudfront"),
    port,
    /** Defaults derived from the port, in CloudFront's formats (E… and d….cloudfront.net). */
    distributionId: z
      .string()
      .regex(/^E[A-Z0-9]{5,20}$/, "an ID such as EDFDVBD6EXAMPLE")
      .optional(),
    distributionDomainName: z.string().min(1).optional(),
    behaviors: z.array(behavior).min(1),
  })
  .strict();

export type EdgeDoorConfig = z.infer<typeof EdgeDoorSchema>;
export type BehaviorConfig = EdgeDoorConfig["behaviors"][number];
export type EdgeHookName = "viewerRequest" | "originRequest" | "originResponse" | "viewerResponse";

/** Splits a validated hook reference into function name and version. */
export function parseEdgeHook(ref: string): { name: string; version: string } {
  const [, name = "", version = ""] = EDGE_HOOK.exec(ref) ?? [];
  return { name, version };
}
