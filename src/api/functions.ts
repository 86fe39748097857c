/**
 * The function control plane under Lambda's REST paths: CreateFunction, GetFunction,
 * GetFunctionConfiguration, UpdateFunctionCode, UpdateFunctionConfiguration, DeleteFunction and
 * ListFunctions, with Lambda's status codes and shapes.
 */
import type { Context, Hono } from "hono";
import { defaultRole, parseFunctionName } from "../lambda/arn.js";
import { withStoredZip } from "../lambda/code-storage.js";
import { LambdaError } from "../lambda/errors.js";
import { checkDeadLetterTarget, checkEnvironment, checkPackage, type LoggingInput, resolveLogging } from "../lambda/function-rules.js";
import { resolveLayers } from "../lambda/layers.js";
import { unprovisionFunction } from "../lambda/provisioned.js";
import { resolveFunction } from "../lambda/resolve.js";
import { LATEST } from "../registry/common.js";
import type { FunctionSettings, FunctionVersion } from "../registry/types.js";
import { DEFAULT_EPHEMERAL_STORAGE_MB } from "../sandbox/index.js";
import type { ApiDeps } from "./deps.js";
import { jsonBody, maxItemsOf } from "./request.js";
import { toConfiguration } from "./shapes.js";
import { CreateFunctionBody, parseBody, UpdateCodeBody, type UpdateConfiguration, UpdateConfigurationBody, zipOf } from "./validate.js";
import { publishedConfiguration } from "./versions.js";

/** LoggingConfig in the core's terms. */
function loggingInput(config: UpdateConfiguration["LoggingConfig"]): LoggingInput {
  return {
    logFormat: config?.LogFormat,
    applicationLogLevel: config?.ApplicationLogLevel,
    systemLogLevel: config?.SystemLogLevel,
    logGroup: config?.LogGroup,
  };
}

function existing(deps: ApiDeps, rawName: string, qualifier?: string): FunctionVersion {
  return resolveFunction(deps, parseFunctionName(rawName, qualifier)).version;
}

export function mountFunctions(app: Hono, deps: ApiDeps): void {
  app.post("/2015-03-31/functions", async (c) => {
    const body = parseBody(CreateFunctionBody, await jsonBody(c));
    const { name } = parseFunctionName(body.FunctionName);
    const environment = checkEnvironment(body.Environment?.Variables);
    const logging = resolveLogging(undefined, loggingInput(body.LoggingConfig));
    const layers = resolveLayers(deps, body.Layers ?? []);
    const created = await withStoredZip(deps, zipOf(body.Code), async (code) => {
      await checkPackage(deps, { codeSha256: code.codeSha256, codeDir: code.dir, runtime: body.Runtime, handler: body.Handler, layers });
      return deps.registry.createFunction({
        functionName: name,
        runtime: body.Runtime,
        handler: body.Handler,
        role: body.Role ?? defaultRole(deps.accountId),
        memorySize: body.MemorySize ?? 128,
        timeout: body.Timeout ?? 3,
        description: body.Description ?? "",
        environment,
        layers,
        ephemeralStorageMB: body.EphemeralStorage?.Size ?? DEFAULT_EPHEMERAL_STORAGE_MB,
        deadLetterTarget: checkDeadLetterTarget(body.DeadLetterConfig?.TargetArn),
        snapStartApplyOn: body.SnapStart?.ApplyOn ?? "None",
        logging,
        code,
        tags: body.Tags,
      });
    });
    return c.json(
      body.Publish ? await publishedConfiguration(deps, deps.registry.publishVersion(name)) : toConfiguration(deps, created),
      201,
    );
  });

  const list = (c: Context) => {
    const maxItems = maxItemsOf(c.req.query("MaxItems"));
    const functionVersion = c.req.query("FunctionVersion");
    if (functionVersion !== undefined && functionVersion !== "ALL") {
      throw new LambdaError(
        "ValidationException",
        `1 validation error detected: Value '${functionVersion}' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]`,
      );
    }
    const page = deps.registry.listFunctions({ marker: c.req.query("Marker"), maxItems, allVersions: functionVersion === "ALL" });
    return c.json({
      Functions: page.items.map((v) => toConfiguration(deps, v)),
      ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
    });
  };
  app.get("/2015-03-31/functions", list);
  app.get("/2015-03-31/functions/", list);

  app.get("/2015-03-31/functions/:name", (c) => {
    const version = existing(deps, c.req.param("name"), c.req.query("Qualifier"));
    const reserved = deps.registry.getReservedConcurrency(version.functionName);
    return c.json({
      Configuration: toConfiguration(deps, version),
      Tags: deps.registry.listTags(version.functionName),
      ...(reserved === undefined ? {} : { Concurrency: { ReservedConcurrentExecutions: reserved } }),
    });
  });

  app.get("/2015-03-31/functions/:name/configuration", (c) => {
    return c.json(toConfiguration(deps, existing(deps, c.req.param("name"), c.req.query("Qualifier"))));
  });

  app.put("/2015-03-31/functions/:name/code", async (c) => {
    const current = existing(deps, c.req.param("name"));
    const body = parseBody(UpdateCodeBody, await jsonBody(c));
    const zip = zipOf(body);
    if (body.DryRun) return c.json(toConfiguration(deps, current));
    // Releasing the new package also removes the one $LATEST had, unless a published version keeps it.
    const updated = await withStoredZip(deps, zip, async (code) => {
      await checkPackage(deps, { ...current, codeDir: code.dir, codeSha256: code.codeSha256 });
      return deps.registry.updateCode(current.functionName, code, body.RevisionId);
    });
    deps.invoker.retire(current.functionName);
    await deps.invoker.pool.dropSnapshots(current.functionName, LATEST);
    return c.json(
      body.Publish
        ? await publishedConfiguration(deps, deps.registry.publishVersion(current.functionName))
        : toConfiguration(deps, updated),
    );
  });

  app.put("/2015-03-31/functions/:name/configuration", async (c) => {
    const current = existing(deps, c.req.param("name"));
    const body = parseBody(UpdateConfigurationBody, await jsonBody(c));
    const patch: Partial<FunctionSettings> = {
      runtime: body.Runtime,
      handler: body.Handler,
      role: body.Role,
      memorySize: body.MemorySize,
      timeout: body.Timeout,
      description: body.Description,
      environment: body.Environment === undefined ? undefined : checkEnvironment(body.Environment.Variables),
      layers: body.Layers === undefined ? undefined : resolveLayers(deps, body.Layers),
      ephemeralStorageMB: body.EphemeralStorage?.Size,
      deadLetterTarget: body.DeadLetterConfig === undefined ? undefined : checkDeadLetterTarget(body.DeadLetterConfig.TargetArn),
      snapStartApplyOn: body.SnapStart?.ApplyOn,
      logging: body.LoggingConfig === undefined ? undefined : resolveLogging(current.logging, loggingInput(body.LoggingConfig)),
    };
    await checkPackage(deps, {
      codeSha256: current.codeSha256,
      codeDir: deps.code.get(current.codeSha256)?.dir,
      runtime: patch.runtime ?? current.runtime,
      handler: patch.handler ?? current.handler,
      // Unchanged layers were checked with this package when they were set.
      layers: patch.layers ?? [],
    });
    // Only what the request names changes.
    const given = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<FunctionSettings>;
    const updated = deps.registry.updateSettings(current.functionName, given, body.RevisionId);
    deps.invoker.retire(current.functionName);
    await deps.invoker.pool.dropSnapshots(current.functionName, LATEST);
    // Layers the function pinned and no longer uses may have been the last use of deleted layer versions.
    if (given.layers !== undefined) await deps.code.collect();
    return c.json(toConfiguration(deps, updated));
  });

  app.delete("/2015-03-31/functions/:name", async (c) => {
    const ref = parseFunctionName(c.req.param("name"), c.req.query("Qualifier"));
    if (ref.qualifier === undefined) {
      unprovisionFunction(deps, ref.name);
      deps.eventInvokeConfigs.deleteAll(ref.name);
    }
    deps.registry.deleteFunction(ref.name, ref.qualifier);
    if (ref.qualifier === undefined) await deps.invoker.forget(ref.name);
    else deps.invoker.retire(ref.name);
    await deps.invoker.pool.dropSnapshots(ref.name, ref.qualifier);
    await deps.code.collect();
    // The log group stays readable, as in CloudWatch Logs; only its open file is closed.
    if (ref.qualifier === undefined) await deps.logs?.closeLog(ref.name);
    return c.body(null, 204);
  });
}
