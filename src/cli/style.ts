/**
 * Colour for people, plain text for pipes and logs: a stream gets ANSI colours only when it is a
 * terminal that has them (tty's hasColors() honours NO_COLOR, FORCE_COLOR and TERM=dumb).
 */
import { styleText } from "node:util";

type Format = Parameters<typeof styleText>[0];

function colours(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && typeof stream.hasColors === "function" && stream.hasColors();
}

export function painter(stream: NodeJS.WriteStream): (format: Format, text: string) => string {
  const on = colours(stream);
  return (format, text) => (on ? styleText(format, text) : text);
}

export const out = painter(process.stdout);
export const stdoutHasColours = colours(process.stdout);
export const err = painter(process.stderr);
