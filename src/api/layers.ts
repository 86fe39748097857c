/**
 * PublishLayerVersion, GetLayerVersion, GetLayerVersionByArn, ListLayers, ListLayerVersions and
 * DeleteLayerVersion under Lambda's REST paths (2018-10-31), with Lambda's shapes and errors.
 */
import { readFile } from "node:fs/promises";
import type { Context, Hono } from "hono";
import { z } from "zod";
import { RUNTIMES } from "../functions/folder.js";
import {
  LAYER_VERSION_ARN_PATTERN,
  layerArn,
  layerNotFound,
  layerVersionArn,
  parseLayerName,
  parseLayerVersionArn,
} from "../lambda/arn.js";
import { withStoredZip } from "../lambda/code-storage.js";
import { LambdaError } from "../lambda/errors.js";
import type { LayerFilter, LayerVersion } from "../registry/types.js";
import type { ApiDeps } from "./deps.js";
import { jsonBody } from "./request.js";
import { parseBody, zipCode, zipOf } from "./validate.js";

/** A VersionNumber path parameter: Lambda refuses numbers below 1 before looking anything up. */
export function parseVersionNumber(raw: string): number {
  const version = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(version)) {
    throw new LambdaError(
      "ValidationException",
      `1 validation error detected: Value '${raw}' at 'versionNumber' failed to satisfy constraint: Member must be a number`,
    );
  }
  if (version < 1) throw new LambdaError("InvalidParameterValueException", "Layer Version Cannot be less than 1");
  return version;
}

/** The Runtime values Lambda accepts in CompatibleRuntimes, deprecated ones included, and isolambda's own. */
const LAYER_RUNTIMES = [
  ...new Set([
    ...["nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x"],
    ...["nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x", "nodejs26.x"],
    ...["python2.7", "python3.6", "python3.7", "python3.8", "python3.9", "python3.10", "python3.11", "python3.12", "python3.13"],
    ...["python3.14", "python3.15", "java8", "java8.al2", "java8.al2023", "java11", "java11.al2023", "java17", "java17.al2023"],
    ...["java21", "java25", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "dotnet6", "dotnet8", "dotnet10"],
    ...["go1.x", "ruby2.5", "ruby2.7", "ruby3.2", "ruby3.3", "ruby3.4", "ruby4.0", "provided", "provided.al2", "provided.al2023"],
    ...RUNTIMES,
  ]),
] as [string, ...string[]];
const ARCHITECTURES = ["x86_64", "arm64"] as const;
/** CompatibleRuntimes: at most 15; CompatibleArchitectures: at most 2. */
const MAX_RUNTIMES = 15;
const MAX_ARCHITECTURES = 2;
/** ListLayers and ListLayerVersions take MaxItems 1–50 (MaxLayerListItems). */
const MAX_LAYER_LIST_ITEMS = 50;

const runtime = z.enum(LAYER_RUNTIMES, { message: `Member must satisfy enum value set: [${LAYER_RUNTIMES.join(", ")}]` });
const architecture = z.enum(ARCHITECTURES, { message: `Member must satisfy enum value set: [${ARCHITECTURES.join(", ")}]` });

const PublishBody = z.object({
  Content: zipCode.extend({ S3ObjectVersion: z.string().optional() }),
  Description: z.string().max(256, "Member must have length less than or equal to 256").optional(),
  LicenseInfo: z.string().max(512, "Member must have length less than or equal to 512").optional(),
  CompatibleRuntimes: z.array(runtime).max(MAX_RUNTIMES, `Member must have length less than or equal to ${MAX_RUNTIMES}`).optional(),
  CompatibleArchitectures: z
    .array(architecture)
    .max(MAX_ARCHITECTURES, `Member must have length less than or equal to ${MAX_ARCHITECTURES}`)
    .optional(),
});

const ListQuery = z.object({
  CompatibleRuntime: runtime.optional(),
  CompatibleArchitecture: architecture.optional(),
  Marker: z.string().optional(),
  MaxItems: z.coerce
    .number()
    .int()
    .min(1, "Member must have value greater than or equal to 1")
    .max(MAX_LAYER_LIST_ITEMS, `Member must have value less than or equal to ${MAX_LAYER_LIST_ITEMS}`)
    .optional(),
});

function filterOf(c: Context): LayerFilter {
  const query = parseBody(ListQuery, {
    CompatibleRuntime: c.req.query("CompatibleRuntime"),
    CompatibleArchitecture: c.req.query("CompatibleArchitecture"),
    Marker: c.req.query("Marker"),
    MaxItems: c.req.query("MaxItems"),
  });
  return {
    compatibleRuntime: query.CompatibleRuntime,
    compatibleArchitecture: query.CompatibleArchitecture,
    marker: query.Marker,
    maxItems: query.MaxItems,
  };
}

/** LayerVersionsListItem: what ListLayerVersions and ListLayers say of a version. */
function toListItem(deps: ApiDeps, layer: LayerVersion): Record<string, unknown> {
  return {
    LayerVersionArn: layerVersionArn(deps, layer.layerName, layer.version),
    Version: layer.version,
    Description: layer.description,
    CreatedDate: layer.createdDate,
    CompatibleRuntimes: layer.compatibleRuntimes,
    ...(layer.licenseInfo === undefined ? {} : { LicenseInfo: layer.licenseInfo }),
    CompatibleArchitectures: layer.compatibleArchitectures,
  };
}

const CONTENT_PATH = "/isolambda/layers/:layerName/versions/:version/content";

/**
 * Where the layer's zip can be downloaded. Lambda gives a presigned S3 link valid for 10 minutes;
 * isolambda serves the stored zip itself, from the server the request reached, while the version exists.
 */
function contentLocation(c: Context, layer: LayerVersion): string {
  return `${new URL(c.req.url).origin}${CONTENT_PATH.replace(":layerName", layer.layerName).replace(":version", String(layer.version))}`;
}

/** GetLayerVersion's (and PublishLayerVersion's) response. */
function toLayerVersionResponse(deps: ApiDeps, c: Context, layer: LayerVersion): Record<string, unknown> {
  return {
    Content: { Location: contentLocation(c, layer), CodeSha256: layer.codeSha256, CodeSize: layer.codeSize },
    LayerArn: layerArn(deps, layer.layerName),
    ...toListItem(deps, layer),
  };
}

export function mountLayers(app: Hono, deps: ApiDeps): void {
  const versions = "/2018-10-31/layers/:layerName/versions";
  const layerName = (c: Context) => parseLayerName(deps, c.req.param("layerName") ?? "");

  app.post(versions, async (c) => {
    const name = layerName(c);
    const body = parseBody(PublishBody, await jsonBody(c));
    const layer = await withStoredZip(deps, zipOf(body.Content, "PublishLayerVersion"), (code) =>
      deps.registry.publishLayerVersion({
        layerName: name,
        description: body.Description ?? "",
        licenseInfo: body.LicenseInfo,
        compatibleRuntimes: body.CompatibleRuntimes ?? [],
        compatibleArchitectures: body.CompatibleArchitectures ?? [],
        code,
      }),
    );
    return c.json(toLayerVersionResponse(deps, c, layer), 201);
  });

  app.get(versions, (c) => {
    const page = deps.registry.listLayerVersions(layerName(c), filterOf(c));
    return c.json({
      LayerVersions: page.items.map((v) => toListItem(deps, v)),
      ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
    });
  });

  app.get(`${versions}/:version`, (c) => {
    const name = layerName(c);
    const layer = deps.registry.getLayerVersion(name, parseVersionNumber(c.req.param("version")));
    if (layer === undefined) throw layerNotFound();
    return c.json(toLayerVersionResponse(deps, c, layer));
  });

  app.get(CONTENT_PATH, async (c) => {
    const layer = deps.registry.getLayerVersion(layerName(c), parseVersionNumber(c.req.param("version") ?? ""));
    const file = layer === undefined ? undefined : deps.code.zipFile(layer.codeSha256);
    if (file === undefined) throw layerNotFound();
    return c.body(await readFile(file), 200, { "content-type": "application/zip" });
  });

  app.delete(`${versions}/:version`, async (c) => {
    const name = layerName(c);
    // Lambda answers 204 whether or not the version existed.
    deps.registry.deleteLayerVersion(name, parseVersionNumber(c.req.param("version")));
    // Functions that use the version keep its content (pinned); otherwise it goes now.
    await deps.code.collect();
    return c.body(null, 204);
  });

  const listOrFind = (c: Context) => {
    // GetLayerVersionByArn shares the path: GET /2018-10-31/layers?find=LayerVersion&Arn=...
    if (c.req.query("find") === "LayerVersion") return c.json(toLayerVersionResponse(deps, c, byArn(deps, c.req.query("Arn"))));
    const page = deps.registry.listLayers(filterOf(c));
    return c.json({
      Layers: page.items.map((v) => ({
        LayerName: v.layerName,
        LayerArn: layerArn(deps, v.layerName),
        LatestMatchingVersion: toListItem(deps, v),
      })),
      ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
    });
  };
  app.get("/2018-10-31/layers", listOrFind);
  app.get("/2018-10-31/layers/", listOrFind);
}

function byArn(deps: ApiDeps, arn: string | undefined): LayerVersion {
  if (arn === undefined) {
    throw new LambdaError(
      "ValidationException",
      "1 validation error detected: Value null at 'arn' failed to satisfy constraint: Member must not be null",
    );
  }
  const ref = arn.length <= 140 ? parseLayerVersionArn(arn) : undefined;
  if (ref === undefined) {
    throw new LambdaError(
      "ValidationException",
      `1 validation error detected: Value '${arn}' at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${LAYER_VERSION_ARN_PATTERN}`,
    );
  }
  const layer =
    ref.region === deps.region && ref.accountId === deps.accountId ? deps.registry.getLayerVersion(ref.name, ref.version) : undefined;
  if (layer === undefined) throw layerNotFound();
  return layer;
}
