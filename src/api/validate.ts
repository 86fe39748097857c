/**
 * Request bodies of the control plane, validated as Lambda validates them: constraint failures are
 * ValidationException ("1 validation error detected: Value '64' at 'memorySize' failed to satisfy
 * constraint: ..."), rule failures InvalidParameterValueException with AWS's messages.
 */
import { z } from "zod";
import { RUNTIMES } from "../functions/folder.js";
import { LambdaError } from "../lambda/errors.js";
import {
  DEFAULT_EPHEMERAL_STORAGE_MB,
  EPHEMERAL_STORAGE_MAX_MB,
  MEMORY_MAX_MB,
  MEMORY_MIN_MB,
  TIMEOUT_MAX_S,
  TIMEOUT_MIN_S,
} from "../sandbox/index.js";

/** Lambda: a zip uploaded directly (not from S3) may be 50 MB (larger: RequestEntityTooLargeException, HTTP 413). */
export const ZIP_UPLOAD_MAX_BYTES = 50 * 1024 * 1024;

const settings = {
  Runtime: z.enum(RUNTIMES, { message: `Member must satisfy enum value set: [${RUNTIMES.join(", ")}]` }),
  Handler: z
    .string()
    .max(128, "Member must have length less than or equal to 128")
    .regex(/^[^\s]+$/, "Member must satisfy regular expression pattern: [^\\s]+"),
  MemorySize: z
    .number()
    .int()
    .min(MEMORY_MIN_MB, `Member must have value greater than or equal to ${MEMORY_MIN_MB}`)
    .max(MEMORY_MAX_MB, `Member must have value less than or equal to ${MEMORY_MAX_MB}`),
  Timeout: z
    .number()
    .int()
    .min(TIMEOUT_MIN_S, `Member must have value greater than or equal to ${TIMEOUT_MIN_S}`)
    .max(TIMEOUT_MAX_S, `Member must have value less than or equal to ${TIMEOUT_MAX_S}`),
  Description: z.string().max(256, "Member must have length less than or equal to 256"),
  Role: z
    .string()
    .regex(
      /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/,
      "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
    ),
  // Each ARN's form, the count and existence are checked with Lambda's own messages (lambda/layers.ts).
  Layers: z.array(z.string()),
  EphemeralStorage: z.object({
    Size: z
      .number()
      .int()
      .min(DEFAULT_EPHEMERAL_STORAGE_MB, `Member must have value greater than or equal to ${DEFAULT_EPHEMERAL_STORAGE_MB}`)
      .max(EPHEMERAL_STORAGE_MAX_MB, `Member must have value less than or equal to ${EPHEMERAL_STORAGE_MAX_MB}`),
  }),
  DeadLetterConfig: z.object({ TargetArn: z.string().optional() }),
  SnapStart: z.object({
    ApplyOn: z.enum(["PublishedVersions", "None"], { message: "Member must satisfy enum value set: [PublishedVersions, None]" }),
  }),
  LoggingConfig: z.object({
    LogFormat: z.enum(["JSON", "Text"], { message: "Member must satisfy enum value set: [JSON, Text]" }).optional(),
    ApplicationLogLevel: z
      .enum(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], {
        message: "Member must satisfy enum value set: [TRACE, DEBUG, INFO, WARN, ERROR, FATAL]",
      })
      .optional(),
    SystemLogLevel: z.enum(["DEBUG", "INFO", "WARN"], { message: "Member must satisfy enum value set: [DEBUG, INFO, WARN]" }).optional(),
    LogGroup: z
      .string()
      .min(1, "Member must have length greater than or equal to 1")
      .max(512, "Member must have length less than or equal to 512")
      .regex(/^[.\-_/#A-Za-z0-9]+$/, "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+")
      .optional(),
  }),
  Environment: z.object({
    Variables: z
      .record(
        z.string().regex(/^[a-zA-Z]([a-zA-Z0-9_])+$/, "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+"),
        z.string(),
      )
      .optional(),
  }),
};

export const zipCode = z.object({
  ZipFile: z.string().optional(),
  S3Bucket: z.string().optional(),
  S3Key: z.string().optional(),
  ImageUri: z.string().optional(),
});

/** Every setting, each optional: UpdateFunctionConfiguration's body, and CreateFunction's defaults. */
const optionalSettings = z.object(settings).partial();

export const CreateFunctionBody = optionalSettings.extend({
  FunctionName: z.string().min(1).max(140, "Member must have length less than or equal to 140"),
  Runtime: settings.Runtime,
  Handler: settings.Handler,
  Code: zipCode,
  Publish: z.boolean().optional(),
  Tags: z.record(z.string(), z.string()).optional(),
  PackageType: z.enum(["Zip"], { message: "isolambda runs Zip packages; container images are not supported" }).optional(),
});

export const UpdateConfigurationBody = optionalSettings.extend({ RevisionId: z.string().optional() });
export type UpdateConfiguration = z.infer<typeof UpdateConfigurationBody>;

export const UpdateCodeBody = zipCode.extend({
  Publish: z.boolean().optional(),
  RevisionId: z.string().optional(),
  DryRun: z.boolean().optional(),
});

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** Parses `body` with `schema`, or throws the ValidationException Lambda would. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => {
    let value: unknown = body;
    for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
    const where = issue.path.map((p) => lowerFirst(String(p))).join(".");
    const shown = typeof value === "object" ? JSON.stringify(value) : String(value);
    return value === undefined
      ? `Value null at '${where}' failed to satisfy constraint: Member must not be null`
      : `Value '${shown}' at '${where}' failed to satisfy constraint: ${issue.message}`;
  });
  const count = issues.length === 1 ? "1 validation error detected" : `${issues.length} validation errors detected`;
  throw new LambdaError("ValidationException", `${count}: ${issues.join("; ")}`);
}

/** The zip of a Code or UpdateFunctionCode body; S3 and images are not available locally. */
export function zipOf(code: z.infer<typeof zipCode>, operation = "CreateFunction"): Uint8Array {
  if (code.S3Bucket !== undefined || code.S3Key !== undefined) {
    throw new LambdaError("InvalidParameterValueException", "isolambda has no S3: upload the package as ZipFile");
  }
  if (code.ImageUri !== undefined)
    throw new LambdaError("InvalidParameterValueException", "isolambda runs Zip packages; container images are not supported");
  if (code.ZipFile === undefined) throw new LambdaError("InvalidParameterValueException", "Please provide a source for function code.");
  const zip = Buffer.from(code.ZipFile, "base64");
  if (zip.length > ZIP_UPLOAD_MAX_BYTES) {
    throw new LambdaError(
      "RequestEntityTooLargeException",
      `Request must be smaller than ${ZIP_UPLOAD_MAX_BYTES} bytes for the ${operation} operation`,
    );
  }
  return zip;
}
