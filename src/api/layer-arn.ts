/**
 * Layer names and ARNs as the Lambda API accepts them: a LayerName is a name or a layer ARN; a
 * layer version ARN is `arn:aws:lambda:<region>:<account>:layer:<name>:<version>`.
 */
import type { ApiDeps } from "./deps.js";
import { AwsError } from "./errors.js";

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

export interface LayerVersionRef {
  region: string;
  accountId: string;
  name: string;
  version: number;
}

export function layerArn(deps: Pick<ApiDeps, "region" | "accountId">, name: string): string {
  return `arn:aws:lambda:${deps.region}:${deps.accountId}:layer:${name}`;
}

export function layerVersionArn(deps: Pick<ApiDeps, "region" | "accountId">, name: string, version: number): string {
  return `${layerArn(deps, name)}:${version}`;
}

/** Lambda's answer for a layer or version it does not have. */
export function layerNotFound(): AwsError {
  return new AwsError("ResourceNotFoundException", "The resource you requested does not exist.");
}

/** The layer name a LayerName parameter gives; an ARN of another Region or account names nothing here. */
export function parseLayerName(deps: Pick<ApiDeps, "region" | "accountId">, raw: string): string {
  const groups = raw.length <= LAYER_NAME_MAX ? LAYER_NAME.exec(raw)?.groups : undefined;
  if (groups === undefined) {
    const constraint =
      raw.length > LAYER_NAME_MAX
        ? `Member must have length less than or equal to ${LAYER_NAME_MAX}`
        : `Member must satisfy regular expression pattern: ${LAYER_NAME_PATTERN}`;
    throw new AwsError(
      "ValidationException",
      `1 validation error detected: Value '${raw}' at 'layerName' failed to satisfy constraint: ${constraint}`,
    );
  }
  if (groups.name !== undefined) return groups.name;
  if (groups.region !== deps.region || groups.account !== deps.accountId) throw layerNotFound();
  return groups.arnName as string;
}

/** A VersionNumber path parameter: Lambda refuses numbers below 1 before looking anything up. */
export function parseVersionNumber(raw: string): number {
  const version = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(version)) {
    throw new AwsError(
      "ValidationException",
      `1 validation error detected: Value '${raw}' at 'versionNumber' failed to satisfy constraint: Member must be a number`,
    );
  }
  if (version < 1) throw new AwsError("InvalidParameterValueException", "Layer Version Cannot be less than 1");
  return version;
}

/** A layer version ARN's parts, or undefined when it does not have the form. */
export function parseLayerVersionArn(raw: string): LayerVersionRef | undefined {
  const groups = LAYER_VERSION_ARN.exec(raw)?.groups;
  if (groups === undefined) return undefined;
  const version = Number(groups.version);
  if (!Number.isSafeInteger(version)) return undefined;
  return { region: groups.region as string, accountId: groups.account as string, name: groups.name as string, version };
}
