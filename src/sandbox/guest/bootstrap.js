// Entry of the guest runtime, evaluated once per execution environment before INIT. The host
// calls the returned function with its narrow capability object; the result is the handful of
// entry points the host drives. Neither is reachable from handler code.
import { installConsole } from "./console.js";
import { installFetch } from "./fetch.js";
import { createFormatter } from "./format.js";
import { installGlobals } from "./globals.js";
import { createInvoker } from "./invoke.js";
import { builtinLoader } from "./lazy.js";
import { createModules } from "./modules.js";
import { installTimers } from "./timers.js";

export default function boot(host, configJson) {
  const config = JSON.parse(configJson);
  const builtin = builtinLoader(host);
  installConsole(host, createFormatter(builtin));
  installGlobals(host, config, builtin);
  const modules = createModules(host);
  let invoker;
  const fireTimer = installTimers(host, (error) => invoker.uncaught(error));
  const fetchSettled = installFetch(host);
  invoker = createInvoker(host, config, modules);
  return {
    init: invoker.init,
    invoke: invoker.invoke,
    beforeExit: invoker.beforeExit,
    fireTimer,
    fetchSettled,
    exportNames: modules.exportNames,
  };
}
