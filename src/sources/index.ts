/** The event source box: mappings kept in SQLite, one poller per enabled mapping. */

import { randomUUID } from "node:crypto";
import type { Running, Service } from "../service.js";
import { MappingPoller, type PollerDeps } from "./poller.js";
import type { MappingStore } from "./store.js";
import type { EventSourceMapping } from "./types.js";
import { SQS_DEFAULT_BATCH } from "./types.js";

export { MappingStore } from "./store.js";
export type { EventSourceMapping, MappingSettings } from "./types.js";

export interface DeclaredSource {
  queue: string;
  batchSize?: number;
  maximumBatchingWindowInSeconds?: number;
  reportBatchItemFailures?: boolean;
  maximumConcurrency?: number;
  enabled?: boolean;
}

export class EventSources implements Service {
  readonly #pollers = new Map<string, MappingPoller>();

  constructor(
    readonly store: MappingStore,
    private readonly deps: Omit<PollerDeps, "recordResult">,
  ) {}

  /** Starts polling every enabled mapping (at server start). */
  start(): Running {
    for (const mapping of this.store.all()) this.apply(mapping);
    return this;
  }

  /** Polls a mapping as it is now: a new poller for an enabled one, none for a disabled one. */
  apply(mapping: EventSourceMapping): void {
    this.#pollers.get(mapping.uuid)?.stop();
    this.#pollers.delete(mapping.uuid);
    if (!mapping.enabled) {
      console.log(`isolambda: event source mapping ${mapping.uuid} (${mapping.eventSourceArn} → ${mapping.functionName}) disabled`);
      return;
    }
    const poller = new MappingPoller(mapping, { ...this.deps, recordResult: (uuid, result) => this.store.recordResult(uuid, result) });
    this.#pollers.set(mapping.uuid, poller);
    poller.start();
  }

  /**
   * function.json `eventSources`: each queue (created when missing) drives the function, the
   * mapping created or updated to what is declared. Mappings made through the API are left alone.
   */
  declare(functionName: string, declared: DeclaredSource[]): void {
    const { queues } = this.deps;
    for (const source of declared) {
      const arn = source.queue.startsWith("arn:") ? source.queue : queues.arnOf(source.queue);
      const name = queues.nameOfArn(arn) ?? source.queue;
      if (!queues.existsByArn(arn)) queues.createQueue(name, name.endsWith(".fifo") ? { FifoQueue: "true" } : {});
      const existing = this.store
        .all()
        .find((m) => m.functionName === functionName && m.qualifier === undefined && m.eventSourceArn === arn);
      const mapping = this.store.put({
        uuid: existing?.uuid ?? randomUUID(),
        functionName,
        eventSourceArn: arn,
        enabled: source.enabled ?? true,
        settings: {
          batchSize: source.batchSize ?? SQS_DEFAULT_BATCH,
          maximumBatchingWindowInSeconds:
            source.maximumBatchingWindowInSeconds ?? (source.batchSize !== undefined && source.batchSize > SQS_DEFAULT_BATCH ? 1 : 0),
          reportBatchItemFailures: source.reportBatchItemFailures ?? false,
          filters: [],
          maximumConcurrency: source.maximumConcurrency,
        },
      });
      if (existing !== undefined) this.apply(mapping);
    }
  }

  remove(uuid: string): void {
    this.#pollers.get(uuid)?.stop();
    this.#pollers.delete(uuid);
  }

  close(): void {
    for (const poller of this.#pollers.values()) poller.stop();
    this.#pollers.clear();
  }
}
