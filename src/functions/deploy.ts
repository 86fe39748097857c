/**
 * Deploys a function folder into the registry, as `isolambda serve` does at start: create the
 * function, or update its code and settings where they changed.
 */
import { defaultRole } from "../api/deps.js";
import { AwsError } from "../api/errors.js";
import { checkEnvironment } from "../api/validate.js";
import type { CodeStore, FunctionSettings, Registry } from "../registry/types.js";
import { type FunctionFolder, FunctionFolderError } from "./folder.js";

export type DeployOutcome = "created" | "updated" | "unchanged";

export async function deployFolder(folder: FunctionFolder, registry: Registry, code: CodeStore, accountId: string): Promise<DeployOutcome> {
  const s = folder.settings;
  let environment: Record<string, string>;
  try {
    environment = checkEnvironment(s.environment);
  } catch (error) {
    throw new FunctionFolderError(`${folder.codeDir}/function.json: ${error instanceof AwsError ? error.message : String(error)}`);
  }
  const settings: FunctionSettings = {
    runtime: s.runtime,
    handler: s.handler,
    memorySize: s.memorySize,
    timeout: s.timeout,
    description: s.description,
    environment,
    role: defaultRole(accountId),
  };
  const stored = await code.putFolder(folder.codeDir);
  const current = registry.getVersion(folder.name);
  if (current === undefined) {
    registry.createFunction({ functionName: folder.name, ...settings, code: stored });
    return "created";
  }
  let outcome: DeployOutcome = "unchanged";
  if (current.codeSha256 !== stored.codeSha256) {
    registry.updateCode(folder.name, stored);
    outcome = "updated";
  }
  const changed = (Object.keys(settings) as Array<keyof FunctionSettings>).filter(
    (key) => key !== "role" && JSON.stringify(settings[key]) !== JSON.stringify(current[key]),
  );
  if (changed.length > 0) {
    registry.updateSettings(folder.name, Object.fromEntries(changed.map((key) => [key, settings[key]])));
    outcome = "updated";
  }
  return outcome;
}
