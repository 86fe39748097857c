import type { Load } from "../load.js";
import type { Row } from "./types.js";

/** A throughput row's figures from one load run. */
export function throughputFigures(load: Load): Pick<Row, "rps" | "p50" | "p99" | "machineUs"> {
  return { rps: load.rps, p50: load.p50, p99: load.p99, machineUs: load.machineUsPerRequest };
}
