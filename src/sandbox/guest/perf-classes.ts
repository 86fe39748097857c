/** Node's perf_hooks classes, which are globals too: the global getters and node:perf_hooks name them alike. */
export const PERFORMANCE_CLASSES = [
  "Performance",
  "PerformanceEntry",
  "PerformanceMark",
  "PerformanceMeasure",
  "PerformanceObserver",
  "PerformanceObserverEntryList",
  "PerformanceResourceTiming",
] as const;
