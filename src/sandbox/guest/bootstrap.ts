// Entry of the guest runtime, evaluated once per execution environment, possibly before the
// environment knows its function (a pre-booted spare). The host calls the returned function with
// its narrow capability object; the result is the handful of entry points the host drives.
// Neither is reachable from handler code.
import type { GuestConfig, GuestEntries, HostCapabilities } from "../shared/guest-protocol.js";
import type { BuiltinModules } from "./builtin-modules.js";
import type { JsonLog } from "./builtins/json-log.js";
import { installConsole } from "./console.js";
import { installGlobals, installProcess } from "./globals.js";
import { installHostWork, workSettled } from "./host-work.js";
import { createInvoker } from "./invoke.js";
import { builtinLoader, defineLazy } from "./lazy.js";
import { createModules, type Modules } from "./modules.js";
import { createOutputBox } from "./output-box.js";
import { installAwsLambda } from "./response-stream.js";
import { installSnapStart } from "./snapstart.js";
import { installTimers } from "./timers.js";

export default function boot(capabilities: HostCapabilities): GuestEntries {
  const output = createOutputBox(capabilities);
  // Every log line (console, process.stdout and stderr) goes through the box.
  const host = { ...capabilities, log: output.log };
  // Filled by `configure` at INIT: a booted runtime waits as a spare before it knows its function.
  const config = {} as GuestConfig;
  const builtin = builtinLoader(host);
  let format: ((args: unknown[]) => string) | undefined;
  const textFormat = (args: unknown[]) => {
    if (args.length === 1 && typeof args[0] === "string") return args[0];
    format ??= builtin("format").createFormatter(builtin);
    return format(args);
  };
  installConsole(host, textFormat);
  let jsonLog: JsonLog | undefined;
  const { webcrypto } = installGlobals(host, builtin);
  const streaming = () => builtin("response-stream");
  installAwsLambda(streaming);
  const snapStart = installSnapStart(host, () => builtin("snapstart"));
  let requireBuiltin: ((name: string) => unknown) | undefined;
  const modules: Modules = createModules(
    host,
    (name) => {
      requireBuiltin ??= builtin("node-builtins").createNodeBuiltins({
        builtin,
        config,
        webcrypto,
        makeRequire: modules.makeRequire,
        host,
        fetchApi: () => loadFetch(),
      });
      return requireBuiltin(name);
    },
    config,
  );
  const invoker = createInvoker(host, config, modules, streaming, output.answer, () => jsonLog);
  installHostWork();
  const fireTimer = installTimers(
    host,
    (error) => invoker.uncaught(error),
    (name) => builtin("timers-promises")[name],
  );
  let fetchApi: ReturnType<BuiltinModules["fetch"]["createFetch"]> | undefined;
  const loadFetch = () => {
    fetchApi ??= builtin("fetch").createFetch(host);
    return fetchApi;
  };
  defineLazy("fetch", () => loadFetch().fetch);
  defineLazy("Headers", () => loadFetch().Headers);
  defineLazy("Request", () => loadFetch().Request);
  defineLazy("Response", () => loadFetch().Response);
  return {
    configure(configJson) {
      Object.assign(config, JSON.parse(configJson));
      installProcess(host, builtin, config);
      // The runtime interface client's switch: Lambda sets it for LoggingConfig JSON.
      if (config.env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === "JSON") {
        jsonLog = builtin("json-log").createJsonLog(
          builtin,
          (line) => host.log("", line),
          config.env.AWS_LAMBDA_LOG_LEVEL,
          () => invoker.requestId,
        );
        installConsole(host, textFormat, jsonLog.method);
      }
    },
    init: invoker.init,
    invoke: invoker.invoke,
    beforeExit: invoker.beforeExit,
    fireTimer,
    fetchSettled: (...args) => {
      // node:http's events are emitted from here, as Node emits them from a socket's callback: what a listener throws is uncaught.
      try {
        loadFetch().settled(...args);
      } catch (error) {
        invoker.uncaught(error);
      }
    },
    workSettled,
    exportNames: modules.exportNames,
    beforeSnapshot: () => snapStart.beforeSnapshot((error) => invoker.settlePhase(error)),
    afterRestore: (patchJson) => snapStart.afterRestore(config, patchJson, (error) => invoker.settlePhase(error)),
    output: output.box,
  };
}
