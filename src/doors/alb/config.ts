/**
 * The ALB door's config: listener rules as ELB evaluates them (lowest priority first, every
 * condition of a rule must match, any value of a condition may), each forwarding to a Lambda
 * target group, and a default action.
 */
import { z } from "zod";
import { port, target } from "../shared/config.js";

/** ELB: a condition value is up to 128 characters, with `*` and `?` wildcards. */
const pattern = z.string().min(1).max(128);
const patterns = z.union([pattern, z.array(pattern).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

const fixedResponse = z
  .object({
    statusCode: z.number().int().min(200).max(599),
    contentType: z.string().default("text/plain; charset=utf-8"),
    /** ELB: a fixed-response message is at most 1024 characters. */
    messageBody: z.string().max(1024).default(""),
  })
  .strict();

const rule = z
  .object({
    /** ELB: priorities 1–50000, unique within a listener. */
    priority: z.number().int().min(1).max(50000),
    path: patterns.default(["*"]),
    host: patterns.default(["*"]),
    /** http-request-method condition: exact, case-sensitive method names. */
    methods: z
      .array(z.string().regex(/^[A-Za-z_-]+$/, "an HTTP method name"))
      .min(1)
      .optional(),
    /** http-header condition: header name → value patterns (names and values match case-insensitively). */
    headers: z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "a header name"), patterns).optional(),
    /** query-string condition: key/value pairs, key optional, both patterns matched case-insensitively. */
    query: z
      .array(z.object({ key: pattern.optional(), value: pattern }).strict())
      .min(1)
      .optional(),
    target,
  })
  .strict();

export const AlbDoorSchema = z
  .object({
    type: z.literal("alb"),
    port,
    /** The target group attribute lambda.multi_value_headers.enabled. */
    multiValueHeaders: z.boolean().default(false),
    rules: z.array(rule),
    /** What a request no rule matches gets: ELB's default is a fixed 404 here. */
    defaultAction: z.union([z.object({ target }).strict(), z.object({ fixedResponse }).strict()]).optional(),
  })
  .strict()
  .superRefine((door, ctx) => {
    const seen = new Map<number, number>();
    door.rules.forEach((r, i) => {
      const first = seen.get(r.priority);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["rules", i, "priority"],
          message: `priority ${r.priority} is already used by rules.${first}; ELB priorities are unique per listener`,
        });
      } else seen.set(r.priority, i);
    });
  });

export type AlbDoorConfig = z.infer<typeof AlbDoorSchema>;
export type AlbRuleConfig = AlbDoorConfig["rules"][number];
