/**
 * A second process writing to a data dir (concurrency.test.ts starts two): run as
 * `node --import tsx writer-process.ts <dataDir> <id> <count> <startAtMs>`; prints a JSON summary.
 */
import { LambdaError } from "../../src/lambda/errors.js";
import { openRegistry } from "../../src/registry/index.js";
import { SETTINGS, zipOf } from "./fixtures.js";

const [dataDir = "", id = "", countText = "0", startAtText = "0"] = process.argv.slice(2);
const count = Number(countText);
const { registry, code } = openRegistry(dataDir);

// Both processes start writing at the same moment, whatever their start-up took.
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAtText) - Date.now())));

// The same package from both processes: they race to unpack it.
const shared = await code.put(zipOf({ "index.js": "exports.handler = async () => 'shared';" }));
const summary = { created: 0, updated: 0, preconditionFailed: 0, other: [] as string[] };
for (let i = 0; i < count; i += 1) {
  try {
    registry.createFunction({ functionName: `p${id}-${i}`, ...SETTINGS, code: shared });
    summary.created += 1;
    // Read, then write with the revision read: the other process may have written in between.
    const current = registry.getVersion("shared");
    if (current === undefined) throw new Error("shared is missing");
    await new Promise((resolve) => setTimeout(resolve, 1));
    registry.updateSettings("shared", { description: `${id}-${i}` }, current.revisionId);
    summary.updated += 1;
  } catch (error) {
    if (error instanceof LambdaError && error.code === "PreconditionFailedException") summary.preconditionFailed += 1;
    else summary.other.push(String(error));
  }
}
registry.close();
process.stdout.write(JSON.stringify(summary));
