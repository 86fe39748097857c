// The guest runtime without Node's built-ins, the AWS SDK, response streaming, web globals and
// SnapStart's hooks: what a hello-world handler needs. bench/sandbox.ts boots it for issue 13's
// "before" row, to weigh what the full runtime (dist/guest/bootstrap.js) adds to a cold start.
import { installConsole } from "../../src/sandbox/guest/console.js";
import { installProcess } from "../../src/sandbox/guest/globals.js";
import { createInvoker } from "../../src/sandbox/guest/invoke.js";
import { createModules } from "../../src/sandbox/guest/modules.js";
import { createOutputBox } from "../../src/sandbox/guest/output-box.js";
import { installTimers } from "../../src/sandbox/guest/timers.js";

export default function boot(capabilities) {
  const output = createOutputBox(capabilities);
  const host = { ...capabilities, log: output.log };
  const config = {};
  installConsole(host, (args) => args.map(String).join(" "));
  const modules = createModules(
    host,
    (name) => {
      throw Object.assign(new Error(`No built-in ${name} in the minimal runtime`), { code: "ERR_UNKNOWN_BUILTIN_MODULE" });
    },
    config,
  );
  let invoker;
  const fireTimer = installTimers(
    host,
    (error) => invoker.uncaught(error),
    () => undefined,
  );
  invoker = createInvoker(
    host,
    config,
    modules,
    () => {
      throw new Error("No response streaming in the minimal runtime");
    },
    output.answer,
  );
  return {
    configure(configJson) {
      Object.assign(config, JSON.parse(configJson));
      installProcess(host, () => undefined, config);
    },
    init: invoker.init,
    invoke: invoker.invoke,
    beforeExit: invoker.beforeExit,
    fireTimer,
    exportNames: modules.exportNames,
    output: output.box,
  };
}
