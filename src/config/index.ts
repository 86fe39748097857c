/**
 * isolambda.config.json (shared/DESIGN.md, "Doors"): validated once at start, with messages that
 * name the bad field. Doors are accepted in their documented shape; serving them comes with the
 * doors' own issue.
 */
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";

const door = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("alb"),
    port: z.number().int().min(0).max(65535),
    multiValueHeaders: z.boolean().default(false),
    rules: z.array(
      z.object({
        priority: z.number().int().min(1).max(50000),
        path: z.string().default("*"),
        host: z.string().default("*"),
        target: z.string(),
      }),
    ),
  }),
  z.object({
    type: z.literal("cloudfront"),
    port: z.number().int().min(0).max(65535),
    behaviors: z.array(
      z.object({
        path: z.string(),
        origin: z.string().url(),
        viewerRequest: z.string().nullable().optional(),
        originRequest: z.string().nullable().optional(),
        originResponse: z.string().nullable().optional(),
        viewerResponse: z.string().nullable().optional(),
      }),
    ),
  }),
  z.object({ type: z.literal("url"), port: z.number().int().min(0).max(65535), target: z.string() }),
]);

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
    doors: z.array(door).default([]),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export function parseConfig(raw: unknown, source = "config"): Config {
  const parsed = ConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`);
  throw new ConfigError(`${source}: ${issues.join("; ")}`);
}

/** Reads the config file; a missing file is fine unless the user named it. */
export function loadConfig(file: string, named: boolean): Config {
  if (!existsSync(file)) {
    if (named) throw new ConfigError(`${file}: no such file`);
    return parseConfig({}, file);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  return parseConfig(raw, file);
}
