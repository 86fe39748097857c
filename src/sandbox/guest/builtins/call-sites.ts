// The CallSite objects of V8's stack trace API, made from QuickJS's stack text: each frame is
// `    at name (file:line:column)`, `    at file:line:column` or `    at name (native)`. QuickJS
// says nothing of receivers or `new`, so the type and method names are null, isConstructor is
// false and getThis is undefined (as V8 gives for strict code).

const FRAME = /^ {4}at (?:(.*?) \((.*)\)|(.*))$/;
const LOCATION = /^(.*):(\d+):(\d+)$/;
// QuickJS names the code given to eval() and new Function() `<input>`, its function `<eval>`; V8
// names them `<anonymous>` and `eval`.
const EVAL_FILE = "<input>";
const EVAL_NAME = "<eval>";

class CallSite {
  #name: string | null;
  #file: string | null;
  #line: number | null;
  #column: number | null;
  #native: boolean;
  #evalOrigin: string | undefined;

  constructor(
    name: string | null,
    file: string | null,
    line: number | null,
    column: number | null,
    native: boolean,
    evalOrigin: string | undefined,
  ) {
    this.#name = name;
    this.#file = file;
    this.#line = line;
    this.#column = column;
    this.#native = native;
    this.#evalOrigin = evalOrigin;
  }

  getThis() {
    return undefined;
  }
  getTypeName() {
    return null;
  }
  getFunction() {
    return undefined;
  }
  getFunctionName() {
    return this.#name;
  }
  getMethodName() {
    return null;
  }
  getFileName() {
    return this.#file ?? undefined;
  }
  getScriptNameOrSourceURL() {
    return this.#file ?? undefined;
  }
  getLineNumber() {
    return this.#line;
  }
  getColumnNumber() {
    return this.#column;
  }
  getEnclosingLineNumber() {
    return null;
  }
  getEnclosingColumnNumber() {
    return null;
  }
  getEvalOrigin() {
    return this.#evalOrigin;
  }
  getScriptHash() {
    return "";
  }
  getPosition() {
    return 0;
  }
  getPromiseIndex() {
    return null;
  }
  isToplevel() {
    return this.#name === null;
  }
  isEval() {
    return this.#evalOrigin !== undefined;
  }
  isNative() {
    return this.#native;
  }
  isConstructor() {
    return false;
  }
  isAsync() {
    return false;
  }
  isPromiseAll() {
    return false;
  }
  toString() {
    if (this.#native) return `${this.#name ?? "<anonymous>"} (native)`;
    const where = this.#line === null ? "<anonymous>" : `${this.#file ?? "<anonymous>"}:${this.#line}:${this.#column}`;
    const location = this.#evalOrigin === undefined ? where : `${this.#evalOrigin}, ${where}`;
    return this.#name === null ? location : `${this.#name} (${location})`;
  }
}

/** The CallSites of QuickJS's frames text (no header line). */
/** One frame of the text: its function's name, whether it is native, its file, and where in it. */
interface Frame {
  name: string | null;
  native: boolean;
  file: string | null;
  location: RegExpExecArray | null;
}

export function callSites(frames: string): CallSite[] {
  const parsed: Frame[] = [];
  for (const line of frames.split("\n")) {
    const match = FRAME.exec(line);
    if (match === null) continue;
    const name = match[1] === undefined || match[1] === "<anonymous>" ? null : match[1];
    const where = (match[2] ?? match[3]) as string;
    const location = LOCATION.exec(where);
    parsed.push({ name, native: where === "native", file: location ? location[1] : null, location });
  }
  return parsed.map(({ name, native, file, location }, index) => {
    // V8 names the code of an eval by where eval was called: the frame below it.
    let evalOrigin: string | undefined;
    if (file === EVAL_FILE) {
      const caller = parsed[index + 1];
      const callerWhere = caller?.location ? `${caller.file}:${caller.location[2]}:${caller.location[3]}` : "<anonymous>";
      evalOrigin = `eval at ${caller?.name ?? "<anonymous>"} (${callerWhere})`;
    }
    return new CallSite(
      evalOrigin === undefined || name !== EVAL_NAME ? name : "eval",
      evalOrigin === undefined ? file : null,
      location ? Number(location[2]) : null,
      location ? Number(location[3]) : null,
      native,
      evalOrigin,
    );
  });
}

/** The header V8 puts above the frames: Error.prototype.toString of the target, as ErrorUtils::ToString does. */
function header(target: { name?: unknown; message?: unknown }): string {
  let name = "Error";
  let message = "";
  try {
    if (target.name !== undefined) name = String(target.name);
    if (target.message !== undefined) message = String(target.message);
  } catch {}
  if (name === "") return message;
  return message === "" ? name : `${name}: ${message}`;
}

/**
 * Error.captureStackTrace(target, constructorOpt): frames above the topmost call of
 * `constructorOpt` are left out, found by its name since QuickJS's frames carry only names.
 */
export function capture(target: object, constructorOpt: AnyFunction | undefined, frames: string, mapStack: (text: string) => string): void {
  if (target === null || (typeof target !== "object" && typeof target !== "function")) {
    throw new TypeError("Invalid argument");
  }
  let lines = frames.split("\n").filter((line) => line !== "");
  if (typeof constructorOpt === "function" && constructorOpt.name) {
    const at = lines.findIndex((line) => FRAME.exec(line)?.[1] === constructorOpt.name);
    if (at !== -1) lines = lines.slice(at + 1);
  }
  const limit = Error.stackTraceLimit;
  if (typeof limit !== "number") lines = [];
  else lines = lines.slice(0, Math.max(0, limit));
  let text = lines.join("\n");
  if (text !== "") text = mapStack(text);
  const prepare = Error.prepareStackTrace;
  const stack =
    typeof prepare === "function" ? prepare(target as Error, callSites(text)) : text === "" ? header(target) : `${header(target)}\n${text}`;
  Object.defineProperty(target, "stack", { value: stack, writable: true, configurable: true, enumerable: false });
}
