/**
 * isolambda.config.json (the README's "Doors" section): validated once at start, with messages that
 * name the bad field, doors included (an Edge hook on $LATEST or an alias is refused here).
 */
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { AlbDoorSchema } from "../doors/alb/config.js";
import { EdgeDoorSchema } from "../doors/edge/config.js";
import { UrlDoorSchema } from "../doors/url/config.js";
import { compileRule } from "../sandbox/index.js";
import { ConfigError } from "./error.js";
import { describeIssues, type JsonFile, parseJsonFile } from "./json-file.js";

/** Each door owns its schema (src/doors/<door>/config.ts); a door's port is its own listener. */
const door = z.discriminatedUnion("type", [AlbDoorSchema, EdgeDoorSchema, UrlDoorSchema]);

/** An egress rule: a CIDR range or one address, or `{"cidr": ..., "ports": [...]}` for some of its ports only. */
const egressRule = z
  .union([z.string(), z.object({ cidr: z.string(), ports: z.array(z.number().int().min(1).max(65535)).min(1).optional() }).strict()])
  .superRefine((rule, ctx) => {
    try {
      compileRule(typeof rule === "string" ? { cidr: rule } : rule);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  })
  .transform((rule) => (typeof rule === "string" ? { cidr: rule } : rule));

const ConfigSchema = z
  .object({
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "a Region name such as us-east-1")
      .default("us-east-1"),
    accountId: z
      .string()
      .regex(/^\d{12}$/, "12 digits")
      .default("000000000000"),
    limits: z
      .object({
        accountConcurrency: z.number().int().min(1).default(1000),
        unreservedMinimum: z.number().int().min(0).default(100),
        codeStorageBytes: z
          .number()
          .int()
          .min(1)
          .default(75 * 1024 ** 3),
        /** Lambda's concurrency scaling rate: new environments per function, refilled over `seconds`. */
        scalingRate: z
          .object({ environments: z.number().int().min(1), seconds: z.number().positive() })
          .strict()
          .default({ environments: 1000, seconds: 10 }),
      })
      .strict()
      .refine((l) => l.unreservedMinimum <= l.accountConcurrency, { message: "unreservedMinimum cannot exceed accountConcurrency" })
      .default({
        accountConcurrency: 1000,
        unreservedMinimum: 100,
        codeStorageBytes: 75 * 1024 ** 3,
        scalingRate: { environments: 1000, seconds: 10 },
      }),
    pool: z
      .object({ idleTimeoutMs: z.number().int().min(1).optional(), memoryBudgetBytes: z.number().int().min(1).optional() })
      .strict()
      .default({}),
    /** The execution role's stand-in: what functions find in AWS_ACCESS_KEY_ID and friends. */
    credentials: z
      .object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1), sessionToken: z.string().min(1) })
      .strict()
      .optional(),
    /**
     * SigV4 verification of the Lambda and SQS APIs: `none` (the default) or `sigv4`, with the
     * access keys that may call them (the environment's AWS_ACCESS_KEY_ID when none is listed).
     */
    auth: z
      .object({
        mode: z.enum(["none", "sigv4"]).default("none"),
        credentials: z.array(z.object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) }).strict()).default([]),
      })
      .strict()
      .default({ mode: "none", credentials: [] }),
    /** Where handlers' outbound requests may go: link-local and metadata addresses are refused unless allowed here. */
    egress: z
      .object({ deny: z.array(egressRule).default([]), allow: z.array(egressRule).default([]) })
      .strict()
      .default({ deny: [], allow: [] }),
    async: z
      .object({
        retryBaseDelayMs: z.number().int().min(1).optional(),
        maxDeliveries: z.number().int().min(1).optional(),
        maxQueuedEvents: z.number().int().min(1).optional(),
      })
      .strict()
      .default({}),
    /**
     * SnapStart for every version of every Node.js function, $LATEST included, whatever their
     * SnapStart.ApplyOn: for benchmarking restores against INIT.
     */
    snapStart: z
      .object({ allVersions: z.boolean().default(false) })
      .strict()
      .default({ allVersions: false }),
    doors: z
      .array(door)
      .default([])
      .superRefine((doors, ctx) => {
        const ports = new Map<number, number>();
        doors.forEach((d, i) => {
          const first = ports.get(d.port);
          // Port 0 asks the system for a free port, so it never collides.
          if (d.port !== 0 && first !== undefined)
            ctx.addIssue({ code: "custom", path: [i, "port"], message: `port ${d.port} is already used by doors.${first}` });
          else ports.set(d.port, i);
        });
      }),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export type DoorConfig = Config["doors"][number];

export { ConfigError };

/** Validates a config; read from a file (`json`), each issue names its line. */
export function parseConfig(raw: unknown, source = "config", json?: JsonFile): Config {
  const parsed = ConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  if (json !== undefined) throw new ConfigError(describeIssues(json, parsed.error.issues));
  const issues = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`);
  throw new ConfigError(`${source}: ${issues.join("; ")}`);
}

/** Reads the config file the user named. */
export function loadConfig(file: string): Config {
  if (!existsSync(file)) throw new ConfigError(`${file}: no such file`);
  const json = parseJsonFile(file, readFileSync(file, "utf8"), (message) => new ConfigError(message));
  return parseConfig(json.value, file, json);
}
