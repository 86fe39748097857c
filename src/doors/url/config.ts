/** The function URL door's config: one function behind one listener, as a function URL is. */
import { z } from "zod";
import { port, target } from "../shared/config.js";

export const UrlDoorSchema = z
  .object({
    type: z.literal("url"),
    port,
    target,
    /** Lambda's InvokeMode: BUFFERED answers when the handler returns; RESPONSE_STREAM sends bytes as written. */
    invokeMode: z.enum(["BUFFERED", "RESPONSE_STREAM"]).default("BUFFERED"),
  })
  .strict();

export type UrlDoorConfig = z.infer<typeof UrlDoorSchema>;
