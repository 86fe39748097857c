/**
 * Lambda accepts a function as a name, a partial ARN (`123456789012:function:name`) or a full ARN,
 * each optionally with `:qualifier`; a Qualifier parameter must agree with one in the name.
 */
import { AwsError } from "./errors.js";

const FORMS = [
  /^(?<name>[a-zA-Z0-9-_]{1,64})(?::(?<qualifier>\$LATEST|[a-zA-Z0-9-_]{1,128}))?$/,
  /^(?:arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:)?\d{12}:function:(?<name>[a-zA-Z0-9-_]{1,64})(?::(?<qualifier>\$LATEST|[a-zA-Z0-9-_]{1,128}))?$/,
];

export interface FunctionRef {
  name: string;
  qualifier?: string;
}

export function parseFunctionName(raw: string, qualifierParam?: string): FunctionRef {
  for (const form of FORMS) {
    const groups = form.exec(raw)?.groups;
    if (groups?.name === undefined) continue;
    const inName = groups.qualifier;
    if (inName !== undefined && qualifierParam !== undefined && inName !== qualifierParam) {
      throw new AwsError(
        "InvalidParameterValueException",
        "The derived qualifier from the function name does not match the specified qualifier.",
      );
    }
    return { name: groups.name, qualifier: inName ?? qualifierParam };
  }
  throw new AwsError(
    "InvalidParameterValueException",
    `1 validation error detected: Value '${raw}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
  );
}
