/** The event source box: mappings kept in SQLite, one poller per enabled mapping. */

import { MappingPoller, type PollerDeps } from "./poller.js";
import type { MappingStore } from "./store.js";
import type { EventSourceMapping } from "./types.js";

export { MappingStore } from "./store.js";
export type { EventSourceMapping, MappingSettings } from "./types.js";

export class EventSources {
  readonly #pollers = new Map<string, MappingPoller>();

  constructor(
    readonly store: MappingStore,
    private readonly deps: Omit<PollerDeps, "recordResult">,
  ) {}

  /** Starts polling every enabled mapping (at server start). */
  start(): void {
    for (const mapping of this.store.all()) this.apply(mapping);
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

  remove(uuid: string): void {
    this.#pollers.get(uuid)?.stop();
    this.#pollers.delete(uuid);
  }

  close(): void {
    for (const poller of this.#pollers.values()) poller.stop();
    this.#pollers.clear();
  }
}
