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

/** Cache policy quotas: at most 10 headers, cookies and query strings each in a cache key. */
const KEY_ITEMS_MAX = 10;
const names = (what: string) =>
  z
    .array(z.string().min(1))
    .max(KEY_ITEMS_MAX, `at most ${KEY_ITEMS_MAX} ${what} in a cache key, as CloudFront's cache policy quota allows`);
const keyItems = (what: string) => z.union([z.enum(["none", "all"]), names(what)]).default("none");
const seconds = z.number().int("whole seconds").min(0);

/**
 * A CloudFront cache policy (CachePolicyConfig): TTLs and what the cache key holds. As the API does,
 * DefaultTTL defaults to 86400 (or MinTTL if larger), MaxTTL to 31536000 (or DefaultTTL if larger),
 * and MinTTL <= DefaultTTL <= MaxTTL is required.
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CachePolicyConfig.html
 */
const cache = z
  .object({
    minTtl: seconds.default(0),
    defaultTtl: seconds.optional(),
    maxTtl: seconds.optional(),
    /** How long 4xx/5xx answers stay cached at least (CloudFront's Error Caching Minimum TTL, default 10 s). */
    errorCachingMinTtl: seconds.default(10),
    queryStrings: keyItems("query strings"),
    headers: names("headers")
      .default([])
      .transform((list) => list.map((h) => h.toLowerCase())),
    cookies: keyItems("cookies"),
  })
  .strict()
  .transform((c, ctx) => {
    const defaultTtl = c.defaultTtl ?? Math.max(86400, c.minTtl);
    const maxTtl = c.maxTtl ?? Math.max(31536000, defaultTtl);
    if (c.minTtl > defaultTtl)
      ctx.addIssue({ code: "custom", path: ["minTtl"], message: `minTtl (${c.minTtl}) must not exceed defaultTtl (${defaultTtl})` });
    if (defaultTtl > maxTtl)
      ctx.addIssue({ code: "custom", path: ["defaultTtl"], message: `defaultTtl (${defaultTtl}) must not exceed maxTtl (${maxTtl})` });
    return { ...c, defaultTtl, maxTtl };
  });

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
    /** The behavior's cache policy; without one every request reaches the origin. */
    cache: cache.optional(),
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
    /** isolambda's bound on the door's cache (bodies and headers), shared by its behaviors. */
    cacheMaxBytes: z
      .number()
      .int()
      .min(1)
      .default(64 * 1024 * 1024),
  })
  .strict();

export type EdgeDoorConfig = z.infer<typeof EdgeDoorSchema>;
export type BehaviorConfig = EdgeDoorConfig["behaviors"][number];
export type CachePolicy = NonNullable<BehaviorConfig["cache"]>;
export type EdgeHookName = "viewerRequest" | "originRequest" | "originResponse" | "viewerResponse";

/** Splits a validated hook reference into function name and version. */
export function parseEdgeHook(ref: string): { name: string; version: string } {
  const [, name = "", version = ""] = EDGE_HOOK.exec(ref) ?? [];
  return { name, version };
}
