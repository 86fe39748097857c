/**
 * What the guest tells the host in a turn: log lines and a phase's answer, batched in its output
 * box (src/sandbox/guest/output-box.ts) and read once the turn is over. Each entry is three fields,
 * each ended by END (ASCII's record separator: not NUL, as strings cross to the host as C strings).
 */
const END = "\u001e";
const ANSWER = "\u0001";

export interface GuestAnswer {
  ok: boolean;
  payload: string;
  /** Answer once the event loop is empty (a callback with callbackWaitsForEmptyEventLoop). */
  wait: boolean;
}

export interface OutputReader {
  line(level: string, message: string, time: number): void;
  answer(answer: GuestAnswer): void;
}

export function readGuestOutput(text: string, reader: OutputReader): void {
  let at = 0;
  while (at < text.length) {
    const first = text.indexOf(END, at);
    const second = text.indexOf(END, first + 1);
    const third = text.indexOf(END, second + 1);
    if (first < 0 || second < 0 || third < 0) return;
    const kind = text.slice(at, first);
    const middle = text.slice(first + 1, second);
    const last = text.slice(second + 1, third);
    if (kind === ANSWER) reader.answer({ ok: middle[0] === "1", wait: middle[1] === "1", payload: last });
    else reader.line(kind, last, Number(middle));
    at = third + 1;
  }
}
