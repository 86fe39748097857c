// util.styleText and util.inspect.colors, Node 20's. Lambda's stdout is never a terminal, so text is
// styled only when the caller skips that check (validateStream: false) or FORCE_COLOR asks for it.

/** Each style's opening and closing SGR codes, in Node's order. */
export const colors: Record<string, [open: number, close: number]> = {
  reset: [0, 0],
  bold: [1, 22],
  dim: [2, 22],
  italic: [3, 23],
  underline: [4, 24],
  blink: [5, 25],
  inverse: [7, 27],
  hidden: [8, 28],
  strikethrough: [9, 29],
  doubleunderline: [21, 24],
  black: [30, 39],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  white: [37, 39],
  bgBlack: [40, 49],
  bgRed: [41, 49],
  bgGreen: [42, 49],
  bgYellow: [43, 49],
  bgBlue: [44, 49],
  bgMagenta: [45, 49],
  bgCyan: [46, 49],
  bgWhite: [47, 49],
  framed: [51, 54],
  overlined: [53, 55],
  gray: [90, 39],
  redBright: [91, 39],
  greenBright: [92, 39],
  yellowBright: [93, 39],
  blueBright: [94, 39],
  magentaBright: [95, 39],
  cyanBright: [96, 39],
  whiteBright: [97, 39],
  bgGray: [100, 49],
  bgRedBright: [101, 49],
  bgGreenBright: [102, 49],
  bgYellowBright: [103, 49],
  bgBlueBright: [104, 49],
  bgMagentaBright: [105, 49],
  bgCyanBright: [106, 49],
  bgWhiteBright: [107, 49],
};

// Node's aliases: accepted, but not listed among the keys.
for (const [alias, name] of [
  ["grey", "gray"],
  ["blackBright", "gray"],
  ["bgGrey", "bgGray"],
  ["bgBlackBright", "bgGray"],
  ["faint", "dim"],
  ["crossedout", "strikethrough"],
  ["strikeThrough", "strikethrough"],
  ["crossedOut", "strikethrough"],
  ["conceal", "hidden"],
  ["swapColors", "inverse"],
  ["swapcolors", "inverse"],
  ["doubleUnderline", "doubleunderline"],
]) {
  Object.defineProperty(colors, alias, {
    get: () => colors[name],
    set(value) {
      colors[name] = value;
    },
    configurable: true,
    enumerable: false,
  });
}

const codesOf = (format: unknown): [number, number] => {
  const codes = Object.hasOwn(colors, format as PropertyKey) ? colors[format as string] : undefined;
  if (codes == null) {
    const allowed = Object.keys(colors)
      .map((name) => `'${name}'`)
      .join(", ");
    const received = typeof format === "string" ? `'${format}'` : String(format);
    throw Object.assign(new TypeError(`The argument 'format' must be one of: ${allowed}. Received ${received}`), {
      code: "ERR_INVALID_ARG_VALUE",
    });
  }
  return codes;
};

const received = (value: unknown): string => {
  if (value === null || value === undefined) return `Received ${value}`;
  if (typeof value === "function") return `Received function ${value.name}`;
  if (typeof value === "object") return `Received an instance of ${value.constructor?.name ?? "Object"}`;
  return `Received type ${typeof value} (${String(value)})`;
};

type StreamLike = Record<"write" | "pipe" | "getReader", unknown>;

const isStream = (stream: unknown) =>
  typeof stream === "object" &&
  stream !== null &&
  (typeof (stream as StreamLike).write === "function" ||
    typeof (stream as StreamLike).pipe === "function" ||
    typeof (stream as StreamLike).getReader === "function");

/** Node's shouldColorize for a stream that is not a TTY: FORCE_COLOR alone decides. */
const forced = () => {
  const force = globalThis.process?.env.FORCE_COLOR;
  return force !== undefined && force !== "0" && force !== "false";
};

interface StyleOptions {
  validateStream?: unknown;
  stream?: unknown;
}

export function styleText(
  format: unknown,
  text: unknown,
  { validateStream = true, stream = globalThis.process?.stdout }: StyleOptions = {},
): string {
  if (typeof text !== "string") {
    throw Object.assign(new TypeError(`The "text" argument must be of type string. ${received(text)}`), { code: "ERR_INVALID_ARG_TYPE" });
  }
  if (typeof validateStream !== "boolean") {
    throw Object.assign(new TypeError(`The "options.validateStream" property must be of type boolean. ${received(validateStream)}`), {
      code: "ERR_INVALID_ARG_TYPE",
    });
  }
  if (validateStream && !isStream(stream)) {
    throw Object.assign(
      new TypeError(`The "stream" argument must be an instance of ReadableStream, WritableStream, or Stream. ${received(stream)}`),
      { code: "ERR_INVALID_ARG_TYPE" },
    );
  }
  let left = "";
  let right = "";
  for (const name of Array.isArray(format) ? format : [format]) {
    const [open, close] = codesOf(name);
    left += `\u001b[${open}m`;
    right = `\u001b[${close}m${right}`;
  }
  return validateStream && !forced() ? text : `${left}${text}${right}`;
}
