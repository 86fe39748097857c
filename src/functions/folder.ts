/**
 * Function folders under --functions: the code is the folder itself, configuration comes from an
 * optional function.json (the README's function folders), validated with messages that
 * name the bad field.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { describeIssues, parseJsonFile } from "../config/json-file.js";
import {
  DEFAULT_EPHEMERAL_STORAGE_MB,
  EPHEMERAL_STORAGE_MAX_MB,
  MEMORY_MAX_MB,
  MEMORY_MIN_MB,
  TIMEOUT_MAX_S,
  TIMEOUT_MIN_S,
} from "../sandbox/index.js";
import { parseSchedule } from "../sources/schedule-expression.js";

export const RUNTIMES = ["nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x", "wasm32-wasip2"] as const;

const aliasTarget = z.union([
  z.string(),
  z.object({ version: z.string(), weights: z.record(z.string(), z.number().min(0).max(1)).optional() }),
]);

/** `rate(5 minutes)`, `cron(0 12 * * ? *)`, or with the input the function gets instead of the Scheduled Event. */
const schedule = z
  .union([
    z.string(),
    z
      .object({
        expression: z.string(),
        input: z.unknown().optional(),
        name: z
          .string()
          .regex(/^[\w.-]{1,64}$/)
          .optional(),
      })
      .strict(),
  ])
  .superRefine((value, ctx) => {
    try {
      parseSchedule(typeof value === "string" ? value : value.expression);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  });

/** An event source mapping to a built-in queue (created when missing; a FIFO queue when its name ends in .fifo). */
const eventSource = z
  .object({
    queue: z.string().regex(/^([\w-]{1,80}|arn:aws[\w-]*:sqs:[\w-]+:\d{12}:[\w-]{1,80})(\.fifo)?$/, "a queue name or an SQS queue ARN"),
    batchSize: z.number().int().min(1).max(10000).optional(),
    maximumBatchingWindowInSeconds: z.number().int().min(0).max(300).optional(),
    reportBatchItemFailures: z.boolean().optional(),
    maximumConcurrency: z.number().int().min(2).max(1000).optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((source) => !source.queue.endsWith(".fifo") || ((source.batchSize ?? 10) <= 10 && !source.maximumBatchingWindowInSeconds), {
    message: "a FIFO queue takes batches of at most 10 and no batching window, as in Lambda",
  });

const FunctionJson = z
  .object({
    handler: z.string().min(1).max(128).default("index.handler"),
    runtime: z.enum(RUNTIMES).default("nodejs20.x"),
    memorySize: z.number().int().min(MEMORY_MIN_MB).max(MEMORY_MAX_MB).default(128),
    timeout: z.number().int().min(TIMEOUT_MIN_S).max(TIMEOUT_MAX_S).default(3),
    environment: z
      .record(z.string().regex(/^[a-zA-Z]\w+$/, "environment variable names are letters, digits and _"), z.string())
      .default({}),
    description: z.string().max(256).default(""),
    reservedConcurrency: z.number().int().min(0).optional(),
    aliases: z.record(z.string(), aliasTarget).optional(),
    provisionedConcurrency: z.record(z.string(), z.number().int().min(1)).optional(),
    /** Layer version ARNs or local layer folders (folder-layers.ts); Lambda allows 5. */
    layers: z.array(z.string().min(1)).max(5).default([]),
    schedules: z.array(schedule).default([]),
    eventSources: z.array(eventSource).default([]),
    /** EphemeralStorage.Size in MB. */
    ephemeralStorage: z
      .number()
      .int()
      .min(DEFAULT_EPHEMERAL_STORAGE_MB)
      .max(EPHEMERAL_STORAGE_MAX_MB)
      .default(DEFAULT_EPHEMERAL_STORAGE_MB),
  })
  .strict();

export type FunctionSettings = z.infer<typeof FunctionJson>;

export interface FunctionFolder {
  name: string;
  codeDir: string;
  settings: FunctionSettings;
}

/** Lambda's function name rule: 1–64 letters, digits, hyphens and underscores. */
const FUNCTION_NAME = /^[a-zA-Z0-9-_]{1,64}$/;

export class FunctionFolderError extends Error {
  override readonly name = "FunctionFolderError";
}

export function readFunctionFolder(codeDir: string): FunctionFolder {
  const name = path.basename(codeDir);
  if (!FUNCTION_NAME.test(name)) throw new FunctionFolderError(`${codeDir}: "${name}" is not a valid Lambda function name`);
  const file = path.join(codeDir, "function.json");
  // No function.json: every setting has its default.
  const text = existsSync(file) ? readFileSync(file, "utf8") : "{}";
  const json = parseJsonFile(file, text, (message) => new FunctionFolderError(message));
  const parsed = FunctionJson.safeParse(json.value);
  if (!parsed.success) throw new FunctionFolderError(describeIssues(json, parsed.error.issues));
  return { name, codeDir: path.resolve(codeDir), settings: parsed.data };
}

/** Every folder directly under `root` is a function. */
export function readFunctionFolders(root: string): FunctionFolder[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((entry) => statSync(path.join(root, entry)).isDirectory())
    .sort()
    .map((entry) => readFunctionFolder(path.join(root, entry)));
}
