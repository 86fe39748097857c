// util.format's rules, which Lambda's Node.js runtime applies to every console call. Loaded on
// the first console call that is more than one string.
import type { Builtin } from "./builtin-modules.js";
import { errorText } from "./error-text.js";

export function createFormatter(builtin: Builtin): (args: unknown[]) => string {
  // object-inspect counts depth from 1 where util.inspect counts from 0: 3 is Node's default of 2.
  const inspect = (value: unknown): string => builtin("inspect").default(value, { depth: 3 });

  const show = (value: unknown) => {
    if (typeof value === "string") return value;
    if (value instanceof Error) return errorText(value);
    if (typeof value === "object" || typeof value === "function") return inspect(value);
    return String(value);
  };

  const substitute = (spec: string, arg: unknown) => {
    switch (spec) {
      case "%s":
        return typeof arg === "string" ? arg : typeof arg === "object" && arg !== null ? inspect(arg) : String(arg);
      case "%d":
        return typeof arg === "object" ? "NaN" : String(Number(arg));
      case "%i":
        return String(Number.parseInt(arg as string, 10));
      case "%f":
        return String(Number.parseFloat(arg as string));
      case "%j":
        try {
          return JSON.stringify(arg);
        } catch {
          return "[Circular]";
        }
      case "%c":
        return "";
      default:
        return inspect(arg);
    }
  };

  return function format(args) {
    if (args.length === 0) return "";
    const [first, ...rest] = args;
    let out: string;
    if (typeof first === "string" && first.includes("%") && rest.length > 0) {
      out = first.replace(/%[sdifjoOc%]/g, (spec) => {
        if (spec === "%%") return "%";
        if (rest.length === 0) return spec;
        return substitute(spec, rest.shift());
      });
    } else {
      out = show(first);
    }
    for (const arg of rest) out += ` ${show(arg)}`;
    return out;
  };
}
