/**
 * Lambda's event filtering (FilterCriteria), the EventBridge pattern language on an SQS record:
 * exact values, prefix, suffix, anything-but, numeric ranges, exists, equals-ignore-case and $or.
 * No npm package implements it (checked: none on the registry); each operator has a test.
 */
type Value = unknown;

export class FilterPatternError extends Error {
  override readonly name = "FilterPatternError";
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function numericMatches(rule: unknown[], value: Value): boolean {
  if (typeof value !== "number") return false;
  for (let i = 0; i < rule.length; i += 2) {
    const op = rule[i];
    const bound = Number(rule[i + 1]);
    const ok =
      op === "="
        ? value === bound
        : op === "<"
          ? value < bound
          : op === "<="
            ? value <= bound
            : op === ">"
              ? value > bound
              : op === ">="
                ? value >= bound
                : false;
    if (!ok) return false;
  }
  return true;
}

/** One element of a field's list of matchers, against one value (present) or undefined (absent). */
function matcherMatches(matcher: unknown, value: Value, present: boolean): boolean {
  if (!isObject(matcher)) return present && matcher === value;
  const [op, arg] = Object.entries(matcher)[0] ?? [];
  switch (op) {
    case "exists":
      return arg === present;
    case "prefix":
      if (isObject(arg))
        return (
          present &&
          typeof value === "string" &&
          typeof arg["equals-ignore-case"] === "string" &&
          value.toLowerCase().startsWith(arg["equals-ignore-case"].toLowerCase())
        );
      return present && typeof value === "string" && typeof arg === "string" && value.startsWith(arg);
    case "suffix":
      if (isObject(arg))
        return (
          present &&
          typeof value === "string" &&
          typeof arg["equals-ignore-case"] === "string" &&
          value.toLowerCase().endsWith(arg["equals-ignore-case"].toLowerCase())
        );
      return present && typeof value === "string" && typeof arg === "string" && value.endsWith(arg);
    case "equals-ignore-case":
      return present && typeof value === "string" && typeof arg === "string" && value.toLowerCase() === arg.toLowerCase();
    case "numeric":
      return present && Array.isArray(arg) && numericMatches(arg, value);
    case "anything-but": {
      if (!present) return false;
      if (isObject(arg)) {
        if (typeof arg.prefix === "string") return !(typeof value === "string" && value.startsWith(arg.prefix));
        if (typeof arg.suffix === "string") return !(typeof value === "string" && value.endsWith(arg.suffix));
        if (arg["equals-ignore-case"] !== undefined) {
          const list = ([] as unknown[]).concat(arg["equals-ignore-case"]).map((v) => String(v).toLowerCase());
          return !(typeof value === "string" && list.includes(value.toLowerCase()));
        }
        return false;
      }
      return !([] as unknown[]).concat(arg).includes(value);
    }
    default:
      throw new FilterPatternError(`Invalid filter pattern definition: unsupported operator ${String(op)}`);
  }
}

function fieldMatches(rule: unknown, value: Value, present: boolean): boolean {
  if (Array.isArray(rule)) {
    // An array in the event matches when any of its elements does.
    const values = present && Array.isArray(value) ? value : [value];
    return rule.some((matcher) => values.some((v) => matcherMatches(matcher, v, present)));
  }
  if (isObject(rule)) return present && isObject(value) ? patternMatches(rule, value) : patternMatches(rule, {});
  throw new FilterPatternError("Invalid filter pattern definition: a field's rule is a list of matchers or an object");
}

export function patternMatches(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === "$or") {
      if (!Array.isArray(rule) || !rule.every(isObject))
        throw new FilterPatternError("Invalid filter pattern definition: $or takes a list of patterns");
      if (!rule.some((alternative) => patternMatches(alternative, event))) return false;
      continue;
    }
    if (!fieldMatches(rule, event[key], Object.hasOwn(event, key))) return false;
  }
  return true;
}

const OPERATORS = new Set(["exists", "prefix", "suffix", "equals-ignore-case", "numeric", "anything-but"]);

/** Refuses an unknown operator or a malformed rule when the mapping is made, not at the first message. */
function validate(pattern: Record<string, unknown>): void {
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === "$or") {
      if (!Array.isArray(rule) || !rule.every(isObject))
        throw new FilterPatternError("Invalid filter pattern definition: $or takes a list of patterns");
      for (const alternative of rule) validate(alternative);
    } else if (isObject(rule)) {
      validate(rule);
    } else if (Array.isArray(rule)) {
      for (const matcher of rule) {
        if (!isObject(matcher)) continue;
        const ops = Object.keys(matcher);
        if (ops.length !== 1 || !OPERATORS.has(ops[0] as string)) {
          throw new FilterPatternError(`Invalid filter pattern definition: unsupported operator ${JSON.stringify(matcher)}`);
        }
      }
    } else {
      throw new FilterPatternError(`Invalid filter pattern definition: the rule for ${key} must be a list of matchers or an object`);
    }
  }
}

/** Parses FilterCriteria patterns (JSON text), refusing what Lambda refuses. */
export function parsePatterns(texts: string[]): Array<Record<string, unknown>> {
  return texts.map((text) => {
    let pattern: unknown;
    try {
      pattern = JSON.parse(text);
    } catch {
      throw new FilterPatternError(`Invalid filter pattern definition: not JSON: ${text}`);
    }
    if (!isObject(pattern)) throw new FilterPatternError("Invalid filter pattern definition: a pattern is a JSON object");
    validate(pattern);
    return pattern;
  });
}

/** An SQS record as filters see it: its body as JSON when it parses. */
export function filterView(record: { body: string } & Record<string, unknown>): Record<string, unknown> {
  let body: unknown = record.body;
  try {
    body = JSON.parse(record.body);
  } catch {
    // A plain-text body is matched as a string.
  }
  return { ...record, body };
}
