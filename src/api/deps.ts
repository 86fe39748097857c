/** What the Lambda API's routes work with. */
import type { Dispatcher } from "../async/dispatcher.js";
import type { EventInvokeConfigStore } from "../async/types.js";
import type { CodeStorageLimit } from "../lambda/code-storage.js";
import type { LambdaCore } from "../lambda/core.js";
import type { LogStore } from "../observe/log-store.js";
import type { ComponentCache } from "../sandbox/index.js";
import type { EventSources } from "../sources/index.js";
import type { Scheduler } from "../sources/scheduler.js";
import type { Queues } from "../sqs/index.js";
import type { FunctionCredentials } from "./auth/function-credentials.js";

export interface ApiDeps extends LambdaCore, CodeStorageLimit {
  /** WebAssembly components transpiled at deploy, for the executors to load. */
  components: ComponentCache;
  /** Event invocations: stored, then delivered with retries and destinations. */
  async: Dispatcher;
  eventInvokeConfigs: EventInvokeConfigStore;
  /** Each function's own credentials, and the stamp its requests to the API carry (src/api/auth). */
  functionCredentials: FunctionCredentials;
  /** The built-in SQS-compatible queues, served on the same port when present. */
  queues?: Queues;
  /** Event source mappings: queues that drive functions. */
  sources: EventSources;
  /** function.json schedules, listed at GET /isolambda/schedules. */
  scheduler: Scheduler;
  /** Invocation logs on disk: DeleteFunction closes the function's file. */
  logs?: Pick<LogStore, "closeLog">;
}
