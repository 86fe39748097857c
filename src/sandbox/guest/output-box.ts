// What guest code tells the host in a turn, its log lines and a phase's answer, waits in one box that
// the host empties after every turn: a call out to the host costs ~5 µs (quickjs-emscripten wraps
// each in a scope and a generator), more than the line itself. Each entry is three fields, each
// ended by END: a log line's level, epoch milliseconds and message; or ANSWER, the answer's two flags
// ("1" or "0": success, waiting for the empty event loop) and its payload, JSON, which never holds a
// raw control character. src/sandbox/executor/guest-output.ts reads them. END is not NUL: the box
// crosses to the host as a C string, which a NUL ends. A message that holds END or NUL goes at once
// by host.log, which reads it exactly; a box grown past FLUSH_AT goes at once too.
import type { GuestEntries, HostCapabilities } from "../shared/guest-protocol.js";

const END = "\u001e";
const ANSWER = "\u0001";
const FLUSH_AT = 64 * 1024;

/** How a phase answers: success, its payload (JSON), and whether the answer waits for the empty event loop. */
export type Answer = (ok: boolean, payload: string, waitForEmptyLoop: boolean) => void;

export interface OutputBox {
  box: GuestEntries["output"];
  log(level: string, message: string): void;
  answer: Answer;
}

export function createOutputBox(host: HostCapabilities): OutputBox {
  const box = { value: "" };
  const flush = () => {
    if (box.value === "") return;
    host.output(box.value);
    box.value = "";
  };
  return {
    box,
    log(level, message) {
      if (message.includes(END) || message.includes("\0")) {
        flush();
        host.log(level, message);
        return;
      }
      box.value += `${level}${END}${Date.now()}${END}${message}${END}`;
      if (box.value.length > FLUSH_AT) flush();
    },
    answer(ok, payload, waitForEmptyLoop) {
      box.value += `${ANSWER}${END}${ok ? 1 : 0}${waitForEmptyLoop ? 1 : 0}${END}${payload}${END}`;
    },
  };
}
