// util.parseArgs: @pkgjs/parseargs is Node's own implementation, published by its authors, as of
// before Node 20.16; this adds what came after (allowNegative) and throws Node's TypeErrors.
import { type ParseArgsConfig, type ParseArgsResult, parseArgs as parse, type Token } from "@pkgjs/parseargs";

type CodedError = Error & { code?: unknown };

function asNodeError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof TypeError || !String((error as CodedError).code).startsWith("ERR_")) return error;
  return Object.assign(new TypeError(error.message), { code: (error as CodedError).code });
}

/** `--no-name` for a boolean option sets it false, the last of `--name` and `--no-name` winning. */
function parseWithNegatives(config: ParseArgsConfig): ParseArgsResult {
  const options = { ...config.options };
  const negated = new Map<string, string>();
  for (const [name, option] of Object.entries(config.options ?? {})) {
    if (option?.type === "boolean" && !Object.hasOwn(options, `no-${name}`)) {
      options[`no-${name}`] = { type: "boolean" };
      negated.set(`no-${name}`, name);
    }
  }
  const { allowNegative: _, ...rest } = config;
  const result = parse({ ...rest, options, tokens: true });
  for (const synthetic of negated.keys()) delete result.values[synthetic];
  for (const token of result.tokens as Token[]) {
    if (token.kind !== "option") continue;
    if (negated.has(token.name)) {
      token.name = negated.get(token.name) as string;
      result.values[token.name] = false;
    } else if (config.options?.[token.name]?.type === "boolean") {
      result.values[token.name] = true;
    }
  }
  if (!config.tokens) delete result.tokens;
  return result;
}

export function parseArgs(config: ParseArgsConfig = {}): ParseArgsResult {
  try {
    return config.allowNegative ? parseWithNegatives(config) : parse(config);
  } catch (error) {
    throw asNodeError(error);
  }
}
