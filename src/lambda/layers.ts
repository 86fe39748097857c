/**
 * A function's Layers, as CreateFunction and UpdateFunctionConfiguration check them: at most 5
 * layer version ARNs, each existing in this Region, no two versions of one layer; and Lambda's
 * limit on the function's package and its layers unzipped together.
 */

import type { CodeStore, LayerRef, Registry } from "../registry/types.js";
import { UNZIPPED_LIMIT_BYTES } from "../registry/unzip.js";
import { type Account, layerVersionArn, parseLayerVersionArn } from "./arn.js";
import { LambdaError } from "./errors.js";

/** Lambda: a function may use up to 5 layers. */
const MAX_LAYERS = 5;
/** The Layers member's constraint, as Lambda's ValidationException spells it. */
const LAYERS_CONSTRAINT =
  "Member must satisfy constraint: [Member must have length less than or equal to 2048, Member must have length greater than or equal to 1, " +
  "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+), Member must not be null]";

/** The layer versions the ARNs name, pinned (their code recorded) as the function will keep them. */
export function resolveLayers(deps: Account & { registry: Pick<Registry, "getLayerVersion"> }, arns: string[]): LayerRef[] {
  if (arns.length > MAX_LAYERS) throw new LambdaError("InvalidParameterValueException", `Cannot reference more than ${MAX_LAYERS} layers.`);
  const seen = new Map<string, string>();
  return arns.map((arn) => {
    const ref = parseLayerVersionArn(arn);
    if (ref === undefined) {
      throw new LambdaError(
        "ValidationException",
        `1 validation error detected: Value '[${arn}]' at 'layers' failed to satisfy constraint: ${LAYERS_CONSTRAINT}`,
      );
    }
    if (ref.accountId === deps.accountId && ref.region !== deps.region) {
      throw new LambdaError(
        "InvalidParameterValueException",
        `Layers are not in the same region as the function. Layers are expected to be in region ${deps.region}.`,
      );
    }
    const layer = ref.accountId === deps.accountId ? deps.registry.getLayerVersion(ref.name, ref.version) : undefined;
    if (layer === undefined) throw new LambdaError("InvalidParameterValueException", `Layer version ${arn} does not exist.`);
    const earlier = seen.get(ref.name);
    if (earlier !== undefined) {
      throw new LambdaError(
        "InvalidParameterValueException",
        `Two different versions of the same layer are not allowed to be referenced in the same function. ${earlier} and ${arn} are versions of the same layer.`,
      );
    }
    seen.set(ref.name, arn);
    return { arn: layerVersionArn(deps, ref.name, ref.version), codeSha256: layer.codeSha256, codeSize: layer.codeSize };
  });
}

/** Lambda: a function's package and its layers, unzipped, may take 262144000 bytes together. */
export function checkCombinedSize(deps: { code: Pick<CodeStore, "get"> }, functionCodeSha256: string, layers: LayerRef[]): void {
  if (layers.length === 0) return;
  let total = 0;
  for (const sha of [functionCodeSha256, ...layers.map((l) => l.codeSha256)]) {
    const stored = deps.code.get(sha);
    if (stored === undefined) throw new LambdaError("ServiceException", `The code ${sha} is missing from the data directory`);
    total += stored.unzippedSize;
  }
  if (total > UNZIPPED_LIMIT_BYTES) {
    throw new LambdaError(
      "InvalidParameterValueException",
      `Function code combined with layers exceeds the maximum allowed size of ${UNZIPPED_LIMIT_BYTES} bytes. The actual size is ${total} bytes.`,
    );
  }
}
