/**
 * CreateEventSourceMapping, GetEventSourceMapping, UpdateEventSourceMapping,
 * DeleteEventSourceMapping and ListEventSourceMappings, for queues of isolambda's own
 * SQS-compatible endpoint.
 */
import { randomUUID } from "node:crypto";
import type { Hono } from "hono";
import { z } from "zod";
import { eventSourceMappingArn, functionArn, parseFunctionName } from "../lambda/arn.js";
import { LambdaError } from "../lambda/errors.js";
import { resolveFunction } from "../lambda/resolve.js";
import { parsePatterns } from "../sources/filter.js";
import type { EventSources } from "../sources/index.js";
import { type EventSourceMapping, type MappingSettings, SQS_DEFAULT_BATCH } from "../sources/types.js";
import type { ApiDeps } from "./deps.js";
import { jsonBody, maxItemsOf } from "./request.js";
import { parseBody } from "./validate.js";

const Settings = {
  Enabled: z.boolean().optional(),
  BatchSize: z
    .number()
    .int()
    .min(1, "Member must have value greater than or equal to 1")
    .max(10000, "Member must have value less than or equal to 10000")
    .optional(),
  MaximumBatchingWindowInSeconds: z
    .number()
    .int()
    .min(0, "Member must have value greater than or equal to 0")
    .max(300, "Member must have value less than or equal to 300")
    .optional(),
  FunctionResponseTypes: z
    .array(z.enum(["ReportBatchItemFailures"], { message: "Member must satisfy enum value set: [ReportBatchItemFailures]" }))
    .optional(),
  FilterCriteria: z.object({ Filters: z.array(z.object({ Pattern: z.string().optional() })).optional() }).optional(),
  ScalingConfig: z
    .object({
      MaximumConcurrency: z
        .number()
        .int()
        .min(2, "Member must have value greater than or equal to 2")
        .max(1000, "Member must have value less than or equal to 1000")
        .optional(),
    })
    .optional(),
};
const CreateBody = z.object({ EventSourceArn: z.string(), FunctionName: z.string(), ...Settings });
const UpdateBody = z.object({ FunctionName: z.string().optional(), ...Settings });
type Given = z.infer<typeof UpdateBody>;

/** 1–100 mappings per ListEventSourceMappings page. */
const LIST_MAX_ITEMS = 100;

export function mountEventSourceMappings(app: Hono, deps: ApiDeps, sources: EventSources): void {
  const path = "/2015-03-31/event-source-mappings";
  const mappingArn = (uuid: string) => eventSourceMappingArn(deps, uuid);
  const toWire = (mapping: EventSourceMapping, state?: string) => ({
    UUID: mapping.uuid,
    EventSourceMappingArn: mappingArn(mapping.uuid),
    EventSourceArn: mapping.eventSourceArn,
    FunctionArn: functionArn(deps, mapping.functionName, mapping.qualifier),
    BatchSize: mapping.settings.batchSize,
    MaximumBatchingWindowInSeconds: mapping.settings.maximumBatchingWindowInSeconds,
    FunctionResponseTypes: mapping.settings.reportBatchItemFailures ? ["ReportBatchItemFailures"] : [],
    FilterCriteria:
      mapping.settings.filters.length === 0 ? undefined : { Filters: mapping.settings.filters.map((Pattern) => ({ Pattern })) },
    ScalingConfig:
      mapping.settings.maximumConcurrency === undefined ? undefined : { MaximumConcurrency: mapping.settings.maximumConcurrency },
    LastModified: mapping.lastModified,
    LastProcessingResult: mapping.lastProcessingResult,
    State: state ?? (mapping.enabled ? "Enabled" : "Disabled"),
    StateTransitionReason: "USER_INITIATED",
  });
  const find = (uuid: string) => {
    const mapping = sources.store.get(uuid);
    if (mapping === undefined)
      throw new LambdaError(
        "ResourceNotFoundException",
        `The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: ${randomUUID()})`,
      );
    return mapping;
  };
  /** The function (and qualifier) a mapping invokes: it must exist. */
  const target = (raw: string) => {
    const ref = parseFunctionName(raw);
    resolveFunction(deps, ref);
    return { functionName: ref.name, qualifier: ref.qualifier };
  };
  const settingsOf = (body: Given, eventSourceArn: string, base?: MappingSettings): MappingSettings => {
    const filters =
      body.FilterCriteria === undefined ? (base?.filters ?? []) : (body.FilterCriteria.Filters ?? []).map((f) => f.Pattern ?? "{}");
    try {
      parsePatterns(filters);
    } catch (error) {
      throw new LambdaError("InvalidParameterValueException", (error as Error).message);
    }
    const settings: MappingSettings = {
      batchSize: body.BatchSize ?? base?.batchSize ?? SQS_DEFAULT_BATCH,
      maximumBatchingWindowInSeconds: body.MaximumBatchingWindowInSeconds ?? base?.maximumBatchingWindowInSeconds ?? 0,
      reportBatchItemFailures:
        body.FunctionResponseTypes === undefined
          ? (base?.reportBatchItemFailures ?? false)
          : body.FunctionResponseTypes.includes("ReportBatchItemFailures"),
      filters,
      maximumConcurrency: body.ScalingConfig === undefined ? base?.maximumConcurrency : body.ScalingConfig.MaximumConcurrency,
    };
    // Lambda checks the window first; on a FIFO queue the window must be 0, so BatchSize stays at 10 at most.
    if (eventSourceArn.endsWith(".fifo") && settings.maximumBatchingWindowInSeconds > 0) {
      throw new LambdaError("InvalidParameterValueException", "Batching window is not supported for FIFO queues");
    }
    if (settings.batchSize > SQS_DEFAULT_BATCH && settings.maximumBatchingWindowInSeconds < 1) {
      throw new LambdaError(
        "InvalidParameterValueException",
        "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
      );
    }
    return settings;
  };

  app.post(path, async (c) => {
    const body = parseBody(CreateBody, await jsonBody(c));
    if (!/^arn:aws[\w-]*:sqs:/.test(body.EventSourceArn)) {
      throw new LambdaError(
        "InvalidParameterValueException",
        `Unsupported event source type: isolambda polls its own SQS queues (arn:aws:sqs:...), not ${body.EventSourceArn}`,
      );
    }
    if (!deps.queues?.existsByArn(body.EventSourceArn)) {
      throw new LambdaError(
        "InvalidParameterValueException",
        `Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist: ${body.EventSourceArn}`,
      );
    }
    const { functionName, qualifier } = target(body.FunctionName);
    const settings = settingsOf(body, body.EventSourceArn);
    const existing = sources.store
      .all()
      .find((m) => m.eventSourceArn === body.EventSourceArn && m.functionName === functionName && m.qualifier === qualifier);
    if (existing !== undefined) {
      throw new LambdaError(
        "ResourceConflictException",
        `An event source mapping with SQS arn (" ${body.EventSourceArn} ") and function (" ${functionName} ") already exists. Please update or delete the existing mapping with UUID ${existing.uuid}`,
      );
    }
    const mapping = sources.store.put({
      uuid: randomUUID(),
      functionName,
      qualifier,
      eventSourceArn: body.EventSourceArn,
      settings,
      enabled: body.Enabled ?? true,
    });
    sources.apply(mapping);
    return c.json(toWire(mapping, "Creating"), 202);
  });

  app.get(`${path}/:uuid`, (c) => c.json(toWire(find(c.req.param("uuid")))));

  app.put(`${path}/:uuid`, async (c) => {
    const body = parseBody(UpdateBody, await jsonBody(c));
    const current = find(c.req.param("uuid"));
    const fn = body.FunctionName === undefined ? current : target(body.FunctionName);
    const mapping = sources.store.put({
      ...current,
      functionName: fn.functionName,
      qualifier: fn.qualifier,
      settings: settingsOf(body, current.eventSourceArn, current.settings),
      enabled: body.Enabled ?? current.enabled,
    });
    sources.apply(mapping);
    return c.json(toWire(mapping, "Updating"), 202);
  });

  app.delete(`${path}/:uuid`, (c) => {
    const mapping = find(c.req.param("uuid"));
    sources.remove(mapping.uuid);
    sources.store.delete(mapping.uuid);
    return c.json(toWire(mapping, "Deleting"), 202);
  });

  app.get(path, (c) => {
    const fnFilter = c.req.query("FunctionName");
    const name = fnFilter === undefined ? undefined : parseFunctionName(fnFilter).name;
    const source = c.req.query("EventSourceArn");
    const maxItems = Math.min(maxItemsOf(c.req.query("MaxItems")) ?? LIST_MAX_ITEMS, LIST_MAX_ITEMS);
    const all = sources.store
      .all()
      .filter((m) => (name === undefined || m.functionName === name) && (source === undefined || m.eventSourceArn === source));
    const marker = c.req.query("Marker");
    const start = marker === undefined ? 0 : all.findIndex((m) => m.uuid > marker);
    const page = start < 0 ? [] : all.slice(start, start + maxItems);
    const more = start >= 0 && start + maxItems < all.length;
    return c.json({ EventSourceMappings: page.map((m) => toWire(m)), NextMarker: more ? page.at(-1)?.uuid : undefined });
  });
}
