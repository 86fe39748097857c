// The entries of Node's User Timing (lib/internal/perf/usertiming.js) and the timeline that keeps
// marks and measures, for builtins/performance.ts: PerformanceEntry and its kinds, and how a
// measure's start and duration follow from its arguments.

/** The global performance as INIT made it. */
export interface PerformanceBase {
  now(): number;
  timeOrigin: number;
}

/** What only these files pass to the entries' constructors: code that calls them gets Node's TypeError. */
export const INTERNAL = Symbol("perf_hooks");

export function typedError(message: string, code: string): TypeError {
  return Object.assign(new TypeError(message), { code });
}
export const illegalConstructor = () => typedError("Illegal constructor", "ERR_ILLEGAL_CONSTRUCTOR");
export const missing = (what: string) => typedError(`The ${what} must be specified`, "ERR_MISSING_ARGS");

/** Node's "Received ..." of ERR_INVALID_ARG_TYPE. */
function received(value: unknown): string {
  if (value == null) return ` Received ${value}`;
  if (typeof value === "function") return ` Received function ${value.name}`;
  if (typeof value === "object") return ` Received an instance of ${value.constructor?.name ?? "Object"}`;
  const shown = typeof value === "string" ? `'${value}'` : String(value);
  return ` Received type ${typeof value} (${shown})`;
}
export const invalidType = (what: string, expected: string, value: unknown) =>
  typedError(`The ${what} must be ${expected}.${received(value)}`, "ERR_INVALID_ARG_TYPE");

const invalidTimestamp = (value: number) => typedError(`${value} is not a valid timestamp`, "ERR_PERFORMANCE_INVALID_TIMESTAMP");
export const cloneDetail = (detail: unknown) => (detail == null ? null : structuredClone(detail));

/** The global performance's clock, set by install (builtins/performance.ts). */
let now: () => number = () => 0;
export function setClock(clock: () => number): void {
  now = clock;
}
export const clock = (): number => now();

export class PerformanceEntry {
  readonly #name: string;
  readonly #type: string;
  readonly #start: number;
  readonly #duration: number;
  constructor(token?: unknown, name?: string, type?: string, start?: number, duration?: number) {
    if (token !== INTERNAL) throw illegalConstructor();
    this.#name = name as string;
    this.#type = type as string;
    this.#start = start as number;
    this.#duration = duration as number;
  }
  get name(): string {
    return this.#name;
  }
  get entryType(): string {
    return this.#type;
  }
  get startTime(): number {
    return this.#start;
  }
  get duration(): number {
    return this.#duration;
  }
  toJSON(): Record<string, unknown> {
    return { name: this.name, entryType: this.entryType, startTime: this.startTime, duration: this.duration };
  }
  get [Symbol.toStringTag]() {
    return "PerformanceEntry";
  }
}

export class PerformanceMark extends PerformanceEntry {
  readonly #detail: unknown;
  constructor(...args: [name?: unknown, options?: unknown]) {
    if (args.length === 0) throw missing('"name" argument');
    const [name, options] = args;
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw invalidType('"options" argument', "of type object", options);
    }
    const { startTime = now(), detail } = (options ?? {}) as { startTime?: unknown; detail?: unknown };
    if (typeof startTime !== "number") throw invalidType('"startTime" argument', "of type number", startTime);
    if (startTime < 0) throw invalidTimestamp(startTime);
    super(INTERNAL, `${name}`, "mark", startTime, 0);
    this.#detail = cloneDetail(detail);
  }
  get detail(): unknown {
    return this.#detail;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), detail: this.detail };
  }
  override get [Symbol.toStringTag]() {
    return "PerformanceMark";
  }
}

export class PerformanceMeasure extends PerformanceEntry {
  readonly #detail: unknown;
  constructor(token?: unknown, name?: string, start?: number, duration?: number, detail?: unknown) {
    if (token !== INTERNAL) throw illegalConstructor();
    super(INTERNAL, name, "measure", start, duration);
    this.#detail = detail;
  }
  get detail(): unknown {
    return this.#detail;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), detail: this.detail };
  }
  override get [Symbol.toStringTag]() {
    return "PerformanceMeasure";
  }
}

/** Entries of other kinds Node records (fetch's): none are recorded here, but the class is Node's (and as illegal to construct). */
export class PerformanceResourceTiming extends PerformanceEntry {}

// The timeline: marks and measures in the order made; a mark's name gives its latest time.
export const marks: PerformanceEntry[] = [];
export const measures: PerformanceEntry[] = [];
export const markTimes = new Map<string, number>();

export const byStart = (a: PerformanceEntry, b: PerformanceEntry) => a.startTime - b.startTime;

/** The buffered entries of `type` (all if undefined) named `name` (any if undefined), by start time. */
export function entriesOf(name: string | undefined, type: string | undefined): PerformanceEntry[] {
  const buffers = type === undefined ? [marks, measures] : type === "mark" ? [marks] : type === "measure" ? [measures] : [];
  const all = buffers.flat();
  return (name === undefined ? all : all.filter((entry) => entry.name === name)).sort(byStart);
}

/** A mark's time by name, or a timestamp as it is (usertiming.js getMark). */
function markTime(name: unknown): number | undefined {
  if (name === undefined) return undefined;
  if (typeof name === "number") {
    if (name < 0) throw invalidTimestamp(name);
    return name;
  }
  const time = markTimes.get(`${name}`);
  if (time === undefined) throw new DOMException(`The "${name}" performance mark has not been set`, "SyntaxError");
  return time;
}

const measureOptionsError = (message: string) => typedError(message, "ERR_PERFORMANCE_MEASURE_INVALID_OPTIONS");

/** usertiming.js calculateStartDuration: a measure's start and duration from its arguments. */
export function startAndDuration(startOrOptions: unknown, endMark: unknown): { start: number; duration: number } {
  let given = startOrOptions;
  if (given === null || (typeof given === "object" && Object.keys(given).length === 0)) given = undefined;
  let start: unknown;
  let end: unknown;
  let duration: unknown;
  let withOptions = false;
  if (typeof given === "object") {
    ({ start, end, duration } = given as { start?: unknown; end?: unknown; duration?: unknown });
    withOptions = start !== undefined || end !== undefined;
  }
  if (withOptions) {
    if (endMark !== undefined) throw measureOptionsError("endMark must not be specified");
    if (start !== undefined && end !== undefined && duration !== undefined) {
      throw measureOptionsError("Must not have options.start, options.end, and options.duration specified");
    }
  }
  let endTime: number;
  if (endMark !== undefined) endTime = markTime(endMark) as number;
  else if (withOptions && end !== undefined) endTime = markTime(end) as number;
  else if (withOptions && start !== undefined && duration !== undefined)
    endTime = (markTime(start) as number) + (markTime(duration) as number);
  else endTime = now();
  let startTime: number;
  if (typeof given === "string") startTime = markTime(given) as number;
  else if (withOptions && start !== undefined) startTime = markTime(start) as number;
  else if (withOptions && duration !== undefined) startTime = endTime - (markTime(duration) as number);
  else startTime = 0;
  return { start: startTime, duration: endTime - startTime };
}
