/** The function URL door's config: one function behind one listener, as a function URL is. */
import { z } from "zod";
import { port, target } from "../shared/config.js";

/**
 * CreateFunctionUrlConfig's Cors, with the limits the Lambda API reference ("Cors") states and
 * the methods AWS::Lambda::Url Cors allows (OPTIONS is not one: Lambda answers preflights itself).
 */
const headerNames = z.array(z.string().max(1024, "at most 1024 characters")).max(100, "at most 100 headers");

export const CorsSchema = z
  .object({
    allowOrigins: z
      .array(z.string().min(1, "an origin such as https://www.example.com, or *").max(253, "at most 253 characters"))
      .max(100, "at most 100 origins")
      .optional(),
    allowMethods: z
      .array(z.enum(["GET", "PUT", "HEAD", "POST", "PATCH", "DELETE", "*"], { error: "GET, PUT, HEAD, POST, PATCH, DELETE or *" }))
      .max(6, "at most 6 methods")
      .optional(),
    allowHeaders: headerNames.optional(),
    exposeHeaders: headerNames.optional(),
    maxAge: z.number().int("whole seconds").min(0, "0 to 86400 seconds").max(86400, "0 to 86400 seconds").optional(),
    allowCredentials: z.boolean().optional(),
  })
  .strict();

export type CorsConfig = z.infer<typeof CorsSchema>;

export const UrlDoorSchema = z
  .object({
    type: z.literal("url"),
    port,
    target,
    /** Lambda's InvokeMode: BUFFERED answers when the handler returns; RESPONSE_STREAM sends bytes as written. */
    invokeMode: z.enum(["BUFFERED", "RESPONSE_STREAM"]).default("BUFFERED"),
    /** Lambda's AuthType: AWS_IAM takes SigV4-signed requests only; NONE takes any. */
    authType: z.enum(["NONE", "AWS_IAM"]).default("NONE"),
    cors: CorsSchema.optional(),
  })
  .strict();

export type UrlDoorConfig = z.infer<typeof UrlDoorSchema>;
