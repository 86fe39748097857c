/**
 * Lambda's CloudWatch metrics as Prometheus metrics (prom-client), labelled by function and
 * resource (the version or alias that was invoked), served on GET /metrics.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** Milliseconds: Lambda durations run from sub-millisecond warm starts to the 900 s timeout. */
const DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 900000];

export interface ConcurrencySource {
  readonly concurrentExecutions: number;
  readonly unreservedConcurrency: number;
}

export interface ProvisionedSource {
  provisionedUsage(): Iterable<{ functionName: string; qualifier: string; busy: number; allocated: number }>;
}

export class Metrics {
  readonly registry = new Registry();
  readonly invocations: Counter<"function" | "resource">;
  readonly errors: Counter<"function" | "resource">;
  readonly throttles: Counter<"function" | "resource">;
  readonly coldStarts: Counter<"function" | "resource">;
  readonly spillovers: Counter<"function" | "resource">;
  readonly asyncEventsReceived: Counter<"function" | "resource">;
  readonly asyncEventAge: Histogram<"function" | "resource">;
  readonly asyncEventsDropped: Counter<"function" | "resource">;
  readonly deadLetterErrors: Counter<"function" | "resource">;
  readonly destinationDeliveryFailures: Counter<"function" | "resource">;
  readonly sourceMessagesReceived: Counter<"mapping" | "function">;
  readonly sourceBatchesInvoked: Counter<"mapping" | "function">;
  readonly sourceBatchItemFailures: Counter<"mapping" | "function">;
  readonly sourceMessagesFiltered: Counter<"mapping" | "function">;
  readonly sourceOldestMessageAge: Gauge<"mapping" | "function">;
  readonly duration: Histogram<"function" | "resource">;
  readonly initDuration: Histogram<"function" | "resource">;

  constructor(concurrency: ConcurrencySource, provisioned: ProvisionedSource) {
    const registers = [this.registry];
    const labelNames = ["function", "resource"] as const;
    this.invocations = new Counter({
      name: "isolambda_invocations_total",
      help: "Invocations run (Lambda: Invocations)",
      labelNames,
      registers,
    });
    this.errors = new Counter({
      name: "isolambda_errors_total",
      help: "Invocations that ended in a function error (Lambda: Errors)",
      labelNames,
      registers,
    });
    this.throttles = new Counter({
      name: "isolambda_throttles_total",
      help: "Invocations refused by a concurrency limit (Lambda: Throttles)",
      labelNames,
      registers,
    });
    this.coldStarts = new Counter({
      name: "isolambda_cold_starts_total",
      help: "Invocations that waited for a new execution environment",
      labelNames,
      registers,
    });
    this.spillovers = new Counter({
      name: "isolambda_provisioned_concurrency_spillover_invocations_total",
      help: "Invocations of a version with provisioned concurrency that ran on demand because all its provisioned environments were busy (Lambda: ProvisionedConcurrencySpilloverInvocations)",
      labelNames,
      registers,
    });
    this.asyncEventsReceived = new Counter({
      name: "isolambda_async_events_received_total",
      help: "Event invocations accepted into the async queue (Lambda: AsyncEventsReceived)",
      labelNames,
      registers,
    });
    this.asyncEventAge = new Histogram({
      name: "isolambda_async_event_age_milliseconds",
      help: "Time from acceptance to each invocation attempt of an event (Lambda: AsyncEventAge)",
      labelNames,
      buckets: [1, 10, 100, 1000, 10_000, 60_000, 300_000, 3_600_000, 21_600_000],
      registers,
    });
    this.asyncEventsDropped = new Counter({
      name: "isolambda_async_events_dropped_total",
      help: "Events that ended on the failure path: retries exhausted, too old, or their function gone (Lambda: AsyncEventsDropped)",
      labelNames,
      registers,
    });
    this.deadLetterErrors = new Counter({
      name: "isolambda_dead_letter_errors_total",
      help: "Events that could not be sent to the dead-letter queue (Lambda: DeadLetterErrors)",
      labelNames,
      registers,
    });
    this.destinationDeliveryFailures = new Counter({
      name: "isolambda_destination_delivery_failures_total",
      help: "Invocation records that could not be sent to their destination (Lambda: DestinationDeliveryFailures)",
      labelNames,
      registers,
    });
    const mappingLabels = ["mapping", "function"] as const;
    this.sourceMessagesReceived = new Counter({
      name: "isolambda_source_messages_received_total",
      help: "Messages an event source mapping received from its queue",
      labelNames: mappingLabels,
      registers,
    });
    this.sourceBatchesInvoked = new Counter({
      name: "isolambda_source_batches_invoked_total",
      help: "Batches an event source mapping handed to its function",
      labelNames: mappingLabels,
      registers,
    });
    this.sourceBatchItemFailures = new Counter({
      name: "isolambda_source_batch_item_failures_total",
      help: "Messages left in the queue after a failed batch or a reported item failure",
      labelNames: mappingLabels,
      registers,
    });
    this.sourceMessagesFiltered = new Counter({
      name: "isolambda_source_messages_filtered_total",
      help: "Messages no FilterCriteria pattern matched: deleted without an invocation",
      labelNames: mappingLabels,
      registers,
    });
    this.sourceOldestMessageAge = new Gauge({
      name: "isolambda_source_oldest_message_age_seconds",
      help: "Age of the oldest message in an event source mapping's queue (in flight or not) at its last poll, 0 when empty (SQS: ApproximateAgeOfOldestMessage)",
      labelNames: mappingLabels,
      registers,
    });
    this.duration = new Histogram({
      name: "isolambda_duration_milliseconds",
      help: "Handler duration (Lambda: Duration)",
      labelNames,
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.initDuration = new Histogram({
      name: "isolambda_init_duration_milliseconds",
      help: "INIT phase of cold starts",
      labelNames,
      buckets: DURATION_BUCKETS,
      registers,
    });
    new Gauge({
      name: "isolambda_concurrent_executions",
      help: "Invocations running now (Lambda: ConcurrentExecutions)",
      registers,
      collect() {
        this.set(concurrency.concurrentExecutions);
      },
    });
    new Gauge({
      name: "isolambda_unreserved_concurrent_executions",
      help: "Concurrency left for functions without a reservation (Lambda: UnreservedConcurrentExecutions)",
      registers,
      collect() {
        this.set(concurrency.unreservedConcurrency);
      },
    });
    new Gauge({
      name: "isolambda_provisioned_concurrent_executions",
      help: "Provisioned environments serving an invocation now (Lambda: ProvisionedConcurrentExecutions)",
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const usage of provisioned.provisionedUsage()) {
          this.set({ function: usage.functionName, resource: usage.qualifier }, usage.busy);
        }
      },
    });
    new Gauge({
      name: "isolambda_provisioned_concurrency_utilization",
      help: "Busy share of the allocated provisioned environments, 0 to 1 (Lambda: ProvisionedConcurrencyUtilization)",
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const usage of provisioned.provisionedUsage()) {
          this.set({ function: usage.functionName, resource: usage.qualifier }, usage.allocated === 0 ? 0 : usage.busy / usage.allocated);
        }
      },
    });
  }

  /**
   * A deleted function's series go with it: a server that creates and deletes functions all day
   * (tests, CI) otherwise keeps ~45 label sets of every function it ever ran (the soak: ~8 KB a cycle).
   */
  async forget(functionName: string): Promise<void> {
    const metrics = [
      this.invocations,
      this.errors,
      this.throttles,
      this.coldStarts,
      this.spillovers,
      this.asyncEventsReceived,
      this.asyncEventAge,
      this.asyncEventsDropped,
      this.deadLetterErrors,
      this.destinationDeliveryFailures,
      this.duration,
      this.initDuration,
    ];
    for (const metric of metrics) {
      const resources = new Set<string>();
      for (const value of (await metric.get()).values) {
        if (value.labels.function === functionName) resources.add(String(value.labels.resource));
      }
      for (const resource of resources) metric.remove({ function: functionName, resource });
    }
  }
}
