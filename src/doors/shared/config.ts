/** Pieces of the doors' config schemas that more than one door uses. */
import { z } from "zod";

export const port = z.number().int().min(0).max(65535);

/** A function as Invoke names it: `name`, `name:version` or `name:alias`. */
export const FUNCTION_TARGET = /^[a-zA-Z0-9-_]{1,64}(:(\$LATEST|[a-zA-Z0-9-_]{1,128}))?$/;

export const target = z
  .string()
  .regex(FUNCTION_TARGET, "a function name, optionally with :version or :alias (e.g. hello, hello:3, hello:live)");
