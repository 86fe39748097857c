/** What the Lambda API's routes work with. */
import type { Dispatcher } from "../async/dispatcher.js";
import type { Queues } from "../async/sqs/index.js";
import type { EventInvokeConfigStore } from "../async/types.js";
import type { Invoker } from "../lambda/invoker.js";
import type { LogStore } from "../observe/log-store.js";
import type { CodeStore, Registry } from "../registry/types.js";
import type { EgressRules } from "../sandbox/egress.js";
import type { AwsCredentials, ComponentCache } from "../sandbox/index.js";
import type { EventSources } from "../sources/index.js";
import type { Scheduler } from "../sources/scheduler.js";
import type { FunctionCredentials } from "./auth/function-credentials.js";

export interface ApiDeps {
  registry: Registry;
  code: CodeStore;
  /** WebAssembly components transpiled at deploy, for the executors to load. */
  components: ComponentCache;
  invoker: Invoker;
  region: string;
  accountId: string;
  /** CodeStorageExceededException: the account-wide total of stored code; AWS's default is 75 GB. */
  codeStorageLimitBytes: number;
  /** Event invocations: stored, then delivered with retries and destinations. */
  async: Dispatcher;
  eventInvokeConfigs: EventInvokeConfigStore;
  /** The operator's credentials for every function, instead of each function's own (functionCredentials). */
  credentials?: AwsCredentials;
  /** Each function's own credentials, and the stamp its requests to the API carry (src/api/auth). */
  functionCredentials: FunctionCredentials;
  /** Where handlers' outbound requests may go, beyond the built-in refusal of link-local addresses. */
  egress?: EgressRules;
  /** This server's URL, known once it listens: functions reach isolambda's APIs there. */
  endpointUrl?: string;
  /** The built-in SQS-compatible queues, served on the same port when present. */
  queues?: Queues;
  /** Event source mappings: queues that drive functions. */
  sources: EventSources;
  /** function.json schedules, listed at GET /isolambda/schedules. */
  scheduler: Scheduler;
  /** Invocation logs on disk: DeleteFunction closes the function's file. */
  logs?: Pick<LogStore, "closeLog">;
  /** SnapStart for every version of every Node.js function, $LATEST included (benchmarks); off by default. */
  snapStartEverywhere?: boolean;
}
