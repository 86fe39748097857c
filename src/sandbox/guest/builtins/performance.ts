// Node's User Timing and Performance Timeline (lib/internal/perf/performance.js, observe.js): the
// Performance class of the global performance, its marks and measures (../perf-entries.ts), and
// PerformanceObserver with its entry list. INIT makes the global performance with its own now() and
// timeOrigin (../globals.ts); this bundle loads when anything else of it, or one of these classes, is
// first used, and then becomes that object's prototype. Node's nodeTiming, eventLoopUtilization,
// timerify and resource timing entries (fetch's) are not kept here.
import {
  byStart,
  clock,
  cloneDetail,
  entriesOf,
  INTERNAL,
  illegalConstructor,
  invalidType,
  marks,
  markTimes,
  measures,
  missing,
  type PerformanceBase,
  PerformanceEntry,
  PerformanceMark,
  PerformanceMeasure,
  PerformanceResourceTiming,
  setClock,
  startAndDuration,
} from "../perf-entries.js";

export type { PerformanceBase };

export class PerformanceObserverEntryList {
  readonly #entries: PerformanceEntry[];
  constructor(token?: unknown, entries?: PerformanceEntry[]) {
    if (token !== INTERNAL) throw illegalConstructor();
    this.#entries = [...(entries as PerformanceEntry[])].sort(byStart);
  }
  getEntries(): PerformanceEntry[] {
    return [...this.#entries];
  }
  getEntriesByType(type: unknown): PerformanceEntry[] {
    return this.#entries.filter((entry) => entry.entryType === `${type}`);
  }
  getEntriesByName(name: unknown, type?: unknown): PerformanceEntry[] {
    return this.#entries.filter((entry) => entry.name === `${name}` && (type === undefined || entry.entryType === `${type}`));
  }
  get [Symbol.toStringTag]() {
    return "PerformanceObserverEntryList";
  }
}

type ObserverCallback = (list: PerformanceObserverEntryList, observer: PerformanceObserver) => void;
const SUPPORTED_TYPES = Object.freeze(["dns", "function", "gc", "http", "http2", "mark", "measure", "net", "resource"]);
type Observer = PerformanceObserver & { [INTERNAL]: { buffer(entry: PerformanceEntry): void; dispatch(): void } };
const observers = new Set<Observer>();
const pending = new Set<Observer>();
let dispatching = false;

/** As Node: the observers that buffered entries are called back from one immediate. */
function queuePending(): void {
  if (dispatching) return;
  dispatching = true;
  setImmediate(() => {
    dispatching = false;
    const due = [...pending];
    pending.clear();
    for (const observer of due) observer[INTERNAL].dispatch();
  });
}

export class PerformanceObserver {
  #callback: ObserverCallback;
  #buffer: PerformanceEntry[] = [];
  readonly #types = new Set<string>();
  #kind: "single" | "multiple" | undefined;
  constructor(callback: unknown) {
    if (typeof callback !== "function") throw invalidType('"callback" argument', "of type function", callback);
    this.#callback = callback as ObserverCallback;
    Object.defineProperty(this, INTERNAL, {
      value: {
        buffer: (entry: PerformanceEntry) => {
          if (!this.#types.has(entry.entryType)) return;
          this.#buffer.push(entry);
          pending.add(this as unknown as Observer);
          queuePending();
        },
        dispatch: () => {
          const list = new PerformanceObserverEntryList(INTERNAL, this.#buffer);
          this.#buffer = [];
          this.#callback.call(this, list, this);
        },
      },
    });
  }
  observe(options: unknown = {}): void {
    if (options === null || typeof options !== "object") throw invalidType('"options" argument', "of type object", options);
    const { entryTypes, type, buffered } = { ...options } as { entryTypes?: unknown; type?: unknown; buffered?: unknown };
    if (entryTypes === undefined && type === undefined) throw missing('"options.entryTypes" and "options.type" arguments');
    if (entryTypes != null && type != null) {
      throw Object.assign(
        new TypeError(
          `The property 'options.entryTypes' options.entryTypes can not set with options.type together. Received ${inspectList(entryTypes)}`,
        ),
        { code: "ERR_INVALID_ARG_VALUE" },
      );
    }
    if (this.#kind === undefined) this.#kind = entryTypes !== undefined ? "multiple" : "single";
    else if (this.#kind === "single" && entryTypes !== undefined) {
      throw new DOMException("PerformanceObserver can not change to multiple observations", "InvalidModificationError");
    } else if (this.#kind === "multiple" && type !== undefined) {
      throw new DOMException("PerformanceObserver can not change to single observation", "InvalidModificationError");
    }
    if (this.#kind === "multiple") {
      if (!Array.isArray(entryTypes)) throw invalidType('"options.entryTypes" property', "string[]", entryTypes);
      this.#types.clear();
      for (const name of entryTypes) if (SUPPORTED_TYPES.includes(name)) this.#types.add(name);
    } else {
      if (!SUPPORTED_TYPES.includes(type as string)) return;
      this.#types.add(type as string);
      if (buffered) {
        this.#buffer.push(...entriesOf(undefined, type as string));
        pending.add(this as unknown as Observer);
        queuePending();
      }
    }
    if (this.#types.size > 0) observers.add(this as unknown as Observer);
    else this.disconnect();
  }
  disconnect(): void {
    observers.delete(this as unknown as Observer);
    pending.delete(this as unknown as Observer);
    this.#buffer = [];
    this.#types.clear();
    this.#kind = undefined;
  }
  takeRecords(): PerformanceEntry[] {
    const records = this.#buffer;
    this.#buffer = [];
    return records;
  }
  static get supportedEntryTypes(): readonly string[] {
    return SUPPORTED_TYPES;
  }
  get [Symbol.toStringTag]() {
    return "PerformanceObserver";
  }
}

/** util.inspect's form of a short list, as Node's message shows it. */
function inspectList(value: unknown): string {
  return Array.isArray(value)
    ? `[ ${value.map((item) => (typeof item === "string" ? `'${item}'` : String(item))).join(", ")} ]`
    : String(value);
}

/** A new entry goes to the timeline and to the observers of its type. */
function record(entry: PerformanceEntry, buffer: PerformanceEntry[]): void {
  buffer.push(entry);
  for (const observer of observers) observer[INTERNAL].buffer(entry);
}

/** The one instance's brand: Node's methods refuse another `this`. */
let instance: PerformanceBase | undefined;
function own(self: unknown): void {
  if (self === undefined || self !== instance) throw invalidType('"this" argument', "an instance of Performance", self);
}

export class Performance {
  constructor() {
    throw illegalConstructor();
  }
  get timeOrigin(): number {
    own(this);
    return (this as unknown as PerformanceBase).timeOrigin;
  }
  now(): number {
    own(this);
    return clock();
  }
  mark(...args: [name?: unknown, options?: unknown]): PerformanceMark {
    own(this);
    if (args.length === 0) throw missing('"name" argument');
    const entry = new PerformanceMark(...args);
    markTimes.set(entry.name, entry.startTime);
    record(entry, marks);
    return entry;
  }
  measure(...args: [name?: unknown, startOrOptions?: unknown, endMark?: unknown]): PerformanceMeasure {
    own(this);
    if (args.length === 0) throw missing('"name" argument');
    const [name, startOrOptions, endMark] = args;
    const { start, duration } = startAndDuration(startOrOptions, endMark);
    const detail = cloneDetail((startOrOptions as { detail?: unknown } | null | undefined)?.detail);
    const entry = new PerformanceMeasure(INTERNAL, `${name}`, start, duration, detail);
    record(entry, measures);
    return entry;
  }
  clearMarks(name?: unknown): void {
    own(this);
    clear(marks, name);
    if (name === undefined) markTimes.clear();
    else markTimes.delete(`${name}`);
  }
  clearMeasures(name?: unknown): void {
    own(this);
    clear(measures, name);
  }
  clearResourceTimings(): void {
    own(this);
  }
  getEntries(): PerformanceEntry[] {
    own(this);
    return entriesOf(undefined, undefined);
  }
  getEntriesByName(name: unknown, type?: unknown): PerformanceEntry[] {
    own(this);
    return entriesOf(`${name}`, type === undefined ? undefined : `${type}`);
  }
  getEntriesByType(type: unknown): PerformanceEntry[] {
    own(this);
    return entriesOf(undefined, `${type}`);
  }
  toJSON(): Record<string, unknown> {
    own(this);
    return { timeOrigin: this.timeOrigin };
  }
  get [Symbol.toStringTag]() {
    return "Performance";
  }
}

function clear(buffer: PerformanceEntry[], name: unknown): void {
  const kept = name === undefined ? [] : buffer.filter((entry) => entry.name !== `${name}`);
  buffer.splice(0, buffer.length, ...kept);
}

/**
 * Makes INIT's performance an instance of Performance (its own now and timeOrigin stay), once; an
 * EventTarget as Node's, with listeners kept by an EventTarget of its own.
 */
export function install(performance: PerformanceBase) {
  if (instance === undefined) {
    instance = performance;
    setClock(() => performance.now());
    const events = new EventTarget();
    Object.setPrototypeOf(Performance.prototype, EventTarget.prototype);
    for (const method of ["addEventListener", "removeEventListener", "dispatchEvent"] as const) {
      Object.defineProperty(Performance.prototype, method, {
        value: (...args: unknown[]) => Reflect.apply(EventTarget.prototype[method], events, args),
        writable: true,
        configurable: true,
      });
    }
    Object.setPrototypeOf(performance, Performance.prototype);
  }
  return {
    Performance,
    PerformanceEntry,
    PerformanceMark,
    PerformanceMeasure,
    PerformanceObserver,
    PerformanceObserverEntryList,
    PerformanceResourceTiming,
  };
}
