// Entry of the guest runtime, evaluated once per execution environment, possibly before the
// environment knows its function (a pre-booted spare). The host calls the returned function with
// its narrow capability object; the result is the handful of entry points the host drives.
// Neither is reachable from handler code.
import { installConsole } from "./console.js";
import { installFetch } from "./fetch.js";
import { createFormatter } from "./format.js";
import { installGlobals, installProcess } from "./globals.js";
import { createInvoker } from "./invoke.js";
import { builtinLoader } from "./lazy.js";
import { createModules } from "./modules.js";
import { installTimers } from "./timers.js";

export default function boot(host) {
  // Filled by `configure` at INIT: a booted runtime waits as a spare before it knows its function.
  const config = {};
  const builtin = builtinLoader(host);
  installConsole(host, createFormatter(builtin));
  installGlobals(host, builtin);
  const modules = createModules(host);
  let invoker;
  const fireTimer = installTimers(host, (error) => invoker.uncaught(error));
  const fetchSettled = installFetch(host);
  invoker = createInvoker(host, config, modules);
  return {
    configure(configJson) {
      Object.assign(config, JSON.parse(configJson));
      installProcess(host, config);
    },
    init: invoker.init,
    invoke: invoker.invoke,
    beforeExit: invoker.beforeExit,
    fireTimer,
    fetchSettled,
    exportNames: modules.exportNames,
  };
}
