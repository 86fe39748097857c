/**
 * function.json `layers`: each entry is a layer version ARN (a layer published with
 * PublishLayerVersion) or a path to a local folder, relative to the function's folder. A folder is
 * the layer's content as it appears under /opt (so a Node.js library goes in
 * `<folder>/nodejs/node_modules/<package>`); deploying publishes it as a version of the layer named
 * after the folder whenever its content changed, and the function uses that newest version.
 */
import path from "node:path";
import { type Account, layerVersionArn, parseLayerVersionArn } from "../lambda/arn.js";
import { LambdaError } from "../lambda/errors.js";
import type { CodeStore, LayerRef, LayerVersion, Registry } from "../registry/types.js";
import type { FunctionFolder } from "./folder.js";
import { FunctionFolderError } from "./folder.js";

/** Lambda's layer name rule. */
const LAYER_NAME = /^[a-zA-Z0-9-_]{1,64}$/;

export async function folderLayers(folder: FunctionFolder, registry: Registry, code: CodeStore, account: Account): Promise<LayerRef[]> {
  const refs: LayerRef[] = [];
  for (const entry of folder.settings.layers) {
    const where = `${folder.codeDir}/function.json: layers: ${entry}`;
    if (entry.startsWith("arn:")) {
      const ref = parseLayerVersionArn(entry);
      const layer =
        ref !== undefined && ref.accountId === account.accountId && ref.region === account.region
          ? registry.getLayerVersion(ref.name, ref.version)
          : undefined;
      if (ref === undefined || layer === undefined) throw new FunctionFolderError(`${where}: no such layer version`);
      refs.push({ arn: layerVersionArn(account, ref.name, ref.version), codeSha256: layer.codeSha256, codeSize: layer.codeSize });
      continue;
    }
    const dir = path.resolve(folder.codeDir, entry);
    const name = path.basename(dir);
    if (!LAYER_NAME.test(name)) throw new FunctionFolderError(`${where}: "${name}" is not a valid layer name`);
    let stored: Awaited<ReturnType<CodeStore["putFolder"]>>;
    try {
      stored = await code.putFolder(dir);
    } catch (error) {
      const reason = error instanceof LambdaError ? error.message : (error as Error).message;
      throw new FunctionFolderError(`${where}: ${reason}`);
    }
    // Published again only when the folder's content changed since the newest version.
    const newest = registry.listLayerVersions(name, { maxItems: 1 }).items[0];
    let layer: LayerVersion;
    try {
      layer =
        newest?.codeSha256 === stored.codeSha256
          ? newest
          : registry.publishLayerVersion({
              layerName: name,
              description: `isolambda: deployed from ${dir}`,
              compatibleRuntimes: [],
              compatibleArchitectures: [],
              code: stored,
            });
    } finally {
      await code.release(stored.codeSha256);
    }
    refs.push({ arn: layerVersionArn(account, name, layer.version), codeSha256: layer.codeSha256, codeSize: layer.codeSize });
  }
  return refs;
}
