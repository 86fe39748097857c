/**
 * Deploys a function folder into the registry, as `isolambda serve` does at start: create the
 * function or update its code and settings where they changed, publish a version when anything
 * changed, and move the aliases function.json declares. The settings and package meet the rules
 * the API's CreateFunction and updates check (lambda/function-rules.ts).
 */

import { defaultRole } from "../lambda/arn.js";
import { LambdaError } from "../lambda/errors.js";
import { checkEnvironment, checkPackage } from "../lambda/function-rules.js";
import type { CodeStore, FunctionSettings, Registry, StoredCode } from "../registry/types.js";
import type { ComponentCache } from "../sandbox/index.js";
import { type FunctionFolder, FunctionFolderError } from "./folder.js";
import { folderLayers } from "./folder-layers.js";

export type DeployOutcome = "created" | "updated" | "unchanged";

/** Lambda's default account concurrency (1000) less the unreserved minimum (100). */
const RESERVABLE_TOTAL = 900;

export async function deployFolder(
  folder: FunctionFolder,
  registry: Registry,
  code: CodeStore,
  accountId: string,
  reservableTotal = RESERVABLE_TOTAL,
  region = "us-east-1",
  /** Where a component function's component is validated and transpiled; without it, it is not checked here. */
  components?: ComponentCache,
): Promise<DeployOutcome> {
  const s = folder.settings;
  let environment: Record<string, string>;
  try {
    environment = checkEnvironment(s.environment);
  } catch (error) {
    throw new FunctionFolderError(`${folder.codeDir}/function.json: ${error instanceof LambdaError ? error.message : String(error)}`);
  }
  const settings: FunctionSettings = {
    runtime: s.runtime,
    handler: s.handler,
    memorySize: s.memorySize,
    timeout: s.timeout,
    description: s.description,
    environment,
    role: defaultRole(accountId),
    layers: await folderLayers(folder, registry, code, { accountId, region }),
    ephemeralStorageMB: s.ephemeralStorage,
    deadLetterTarget: "",
    snapStartApplyOn: "None",
    logging: { logFormat: "Text" },
  };
  const stored = await code.putFolder(folder.codeDir);
  let outcome: DeployOutcome;
  try {
    try {
      await checkPackage({ code, components }, { ...settings, codeSha256: stored.codeSha256, codeDir: stored.dir });
    } catch (error) {
      throw new FunctionFolderError(`${folder.codeDir}: ${error instanceof Error ? error.message : String(error)}`);
    }
    outcome = applyFolder(folder.name, settings, stored, registry);
  } finally {
    // A folder that failed its checks leaves nothing on disk; one deployed over an unpublished $LATEST frees its old code.
    await code.release(stored.codeSha256);
  }
  // A folder's deployments are published (PublishVersion returns the newest version when nothing
  // changed), so that its declared aliases have versions to name.
  registry.publishVersion(folder.name);
  moveAliases(folder, registry);
  if (s.reservedConcurrency !== undefined) {
    try {
      registry.putReservedConcurrency(folder.name, s.reservedConcurrency, reservableTotal);
    } catch (error) {
      throw new FunctionFolderError(
        `${folder.codeDir}/function.json: reservedConcurrency: ${error instanceof LambdaError ? error.message : String(error)}`,
      );
    }
  }
  for (const [qualifier, requested] of Object.entries(folder.settings.provisionedConcurrency ?? {})) {
    // The server initialises what the registry holds once its sandbox is up.
    if (
      qualifier === "$LATEST" ||
      (registry.getAlias(folder.name, qualifier) === undefined && registry.getVersion(folder.name, qualifier) === undefined)
    ) {
      throw new FunctionFolderError(
        `${folder.codeDir}/function.json: provisionedConcurrency.${qualifier}: not a published version or an alias`,
      );
    }
    registry.putProvisioned(folder.name, qualifier, requested);
  }
  return outcome;
}

function applyFolder(name: string, settings: FunctionSettings, stored: StoredCode, registry: Registry): DeployOutcome {
  const current = registry.getVersion(name);
  if (current === undefined) {
    registry.createFunction({ functionName: name, ...settings, code: stored });
    return "created";
  }
  let outcome: DeployOutcome = "unchanged";
  if (current.codeSha256 !== stored.codeSha256) {
    registry.updateCode(name, stored);
    outcome = "updated";
  }
  const changed = (Object.keys(settings) as Array<keyof FunctionSettings>).filter(
    (key) => key !== "role" && JSON.stringify(settings[key]) !== JSON.stringify(current[key]),
  );
  if (changed.length > 0) {
    registry.updateSettings(name, Object.fromEntries(changed.map((key) => [key, settings[key]])));
    outcome = "updated";
  }
  return outcome;
}

/** function.json `aliases`: `{ "live": "2" }` or `{ "live": { "version": "2", "weights": { "3": 0.1 } } }`. */
function moveAliases(folder: FunctionFolder, registry: Registry): void {
  for (const [aliasName, target] of Object.entries(folder.settings.aliases ?? {})) {
    const input =
      typeof target === "string"
        ? { functionVersion: target }
        : { functionVersion: target.version, additionalVersionWeights: target.weights ?? {} };
    try {
      if (registry.getAlias(folder.name, aliasName) === undefined) registry.createAlias(folder.name, aliasName, input);
      else registry.updateAlias(folder.name, aliasName, { additionalVersionWeights: {}, ...input });
    } catch (error) {
      throw new FunctionFolderError(
        `${folder.codeDir}/function.json: alias ${aliasName}: ${error instanceof LambdaError ? error.message : String(error)}`,
      );
    }
  }
}
