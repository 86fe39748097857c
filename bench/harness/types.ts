/** What a scenario measures, in one shape the report renders. */

export interface Row {
  /** Stable id, e.g. "isolambda.cold" — ratios name rows by it. */
  id: string;
  group: "upper bound" | "isolambda warm" | "isolambda cold" | "peer" | "density" | "scaling";
  label: string;
  kind: "throughput" | "latency" | "density";
  n?: number;
  rps?: number;
  p50?: number;
  p99?: number;
  max?: number;
  /**
   * Throughput: CPU of the whole machine per request (servers, load generator, kernel), µs. Req/s
   * stop growing once the cores are full, so this says how far a cut can move a ratio.
   */
  machineUs?: number;
  /** Density: environments per GB of RSS. */
  perGb?: number;
  /** The row this one is compared with, and how: its rps share, or how many times slower. */
  ratio?: { to: string; value: number };
}

export interface Settings {
  quick: boolean;
  /** Seconds of load per throughput scenario. */
  seconds: number;
  connections: number;
  /** Fresh versions for the cold-start scenarios. */
  coldVersions: number;
  /** Idle environments for the density scenario. */
  densityEnvironments: number;
  /** Samples for the slow peers (a new Miniflare instance, a process per invocation). */
  slowPeerSamples: number;
  /** Whether the Miniflare peer runs (it needs the bench package's node_modules). */
  miniflare: boolean;
}

/** Advances the progress bar by one step, naming what runs next. */
export type Step = (label: string) => void;
