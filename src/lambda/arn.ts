/**
 * Lambda's ARNs and function references, formatted and parsed in one place. A function is named by
 * its name, a partial ARN (`123456789012:function:name`) or a full ARN, each optionally with
 * `:qualifier`; a layer version ARN is `arn:aws:lambda:<region>:<account>:layer:<name>:<version>`.
 */
import { LambdaError } from "./errors.js";

/** Where a resource lives: every ARN isolambda prints is in its one region and account. */
export interface Account {
  region: string;
  accountId: string;
}

export interface FunctionRef {
  name: string;
  qualifier?: string;
}

export interface LayerVersionRef {
  region: string;
  accountId: string;
  name: string;
  version: number;
}

/** A Lambda resource's ARN: `kind` is function, layer or event-source-mapping. */
export function lambdaArn(at: Account, kind: string, name: string): string {
  return `arn:aws:lambda:${at.region}:${at.accountId}:${kind}:${name}`;
}

export function functionArn(at: Account, name: string, qualifier?: string): string {
  return `${lambdaArn(at, "function", name)}${qualifier ? `:${qualifier}` : ""}`;
}

export function layerArn(at: Account, name: string): string {
  return lambdaArn(at, "layer", name);
}

export function layerVersionArn(at: Account, name: string, version: number): string {
  return `${layerArn(at, name)}:${version}`;
}

export function eventSourceMappingArn(at: Account, uuid: string): string {
  return lambdaArn(at, "event-source-mapping", uuid);
}

/** The execution role a function gets when none is given: isolambda accepts any role. */
export function defaultRole(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/isolambda-execution-role`;
}

const FUNCTION_FORMS = [
  /^(?<name>[a-zA-Z0-9-_]{1,64})(?::(?<qualifier>\$LATEST|[a-zA-Z0-9-_]{1,128}))?$/,
  /^(?:arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:)?\d{12}:function:(?<name>[a-zA-Z0-9-_]{1,64})(?::(?<qualifier>\$LATEST|[a-zA-Z0-9-_]{1,128}))?$/,
];

/** A FunctionName parameter; a Qualifier parameter must agree with a qualifier in the name. */
export function parseFunctionName(raw: string, qualifierParam?: string): FunctionRef {
  for (const form of FUNCTION_FORMS) {
    const groups = form.exec(raw)?.groups;
    if (groups?.name === undefined) continue;
    const inName = groups.qualifier;
    if (inName !== undefined && qualifierParam !== undefined && inName !== qualifierParam) {
      throw new LambdaError(
        "InvalidParameterValueException",
        "The derived qualifier from the function name does not match the specified qualifier.",
      );
    }
    return { name: groups.name, qualifier: inName ?? qualifierParam };
  }
  throw new LambdaError(
    "InvalidParameterValueException",
    `1 validation error detected: Value '${raw}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
  );
}

const FUNCTION_ARN = /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:(?<name>[\w-]{1,64})(?::(?<qualifier>[\w$-]+))?$/;

/** A full function ARN (a destination's), or undefined when the string is none. */
export function parseFunctionArn(raw: string): FunctionRef | undefined {
  const groups = FUNCTION_ARN.exec(raw)?.groups;
  return groups?.name === undefined ? undefined : { name: groups.name, qualifier: groups.qualifier };
}

/** PublishLayerVersion's LayerName pattern, as the API reference states it. */
const LAYER_NAME_PATTERN = "(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+";
const LAYER_NAME =
  /^(?:arn:[a-zA-Z0-9-]+:lambda:(?<region>[a-zA-Z0-9-]+):(?<account>\d{12}):layer:(?<arnName>[a-zA-Z0-9-_]+)|(?<name>[a-zA-Z0-9-_]+))$/;
/** LayerName: 1–140 characters. */
const LAYER_NAME_MAX = 140;
const LAYER_VERSION_ARN =
  /^arn:[a-zA-Z0-9-]+:lambda:(?<region>[a-zA-Z0-9-]+):(?<account>\d{12}):layer:(?<name>[a-zA-Z0-9-_]+):(?<version>[0-9]+)$/;
/** GetLayerVersionByArn's Arn: 1–140 characters. */
export const LAYER_VERSION_ARN_PATTERN = "arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+";

/** Lambda's answer for a layer or version it does not have. */
export function layerNotFound(): LambdaError {
  return new LambdaError("ResourceNotFoundException", "The resource you requested does not exist.");
}

/** The layer name a LayerName parameter gives; an ARN of another Region or account names nothing here. */
export function parseLayerName(at: Account, raw: string): string {
  const groups = raw.length <= LAYER_NAME_MAX ? LAYER_NAME.exec(raw)?.groups : undefined;
  if (groups === undefined) {
    const constraint =
      raw.length > LAYER_NAME_MAX
        ? `Member must have length less than or equal to ${LAYER_NAME_MAX}`
        : `Member must satisfy regular expression pattern: ${LAYER_NAME_PATTERN}`;
    throw new LambdaError(
      "ValidationException",
      `1 validation error detected: Value '${raw}' at 'layerName' failed to satisfy constraint: ${constraint}`,
    );
  }
  if (groups.name !== undefined) return groups.name;
  if (groups.region !== at.region || groups.account !== at.accountId) throw layerNotFound();
  return groups.arnName as string;
}

/** A layer version ARN's parts, or undefined when it does not have the form. */
export function parseLayerVersionArn(raw: string): LayerVersionRef | undefined {
  const groups = LAYER_VERSION_ARN.exec(raw)?.groups;
  if (groups === undefined) return undefined;
  const version = Number(groups.version);
  if (!Number.isSafeInteger(version)) return undefined;
  return { region: groups.region as string, accountId: groups.account as string, name: groups.name as string, version };
}
