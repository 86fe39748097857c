// FormData as Node's (undici's lib/web/fetch/formdata.js): an ordered list of entries whose values
// are strings or Files (a Blob becomes a File named "blob"), and, for Request and Response, its
// multipart/form-data body and the parsing of one (../multipart.ts). Written here rather than taken
// from a package: formdata-node and formdata-polyfill bring Blob and File classes of their own
// (fetch-blob's), so get() would not answer the global File; undici's needs its webidl and core
// modules (node:net, streams); and form-data-encoder covers only the writing.
import { MULTIPART, PARSE_FORM } from "../body-symbols.js";
import { encodeMultipart, type FormEntry, ParseFailure, parseMimeType, parseMultipart } from "../multipart.js";

type FileValue = InstanceType<typeof File>;

const usv = (value: unknown) => `${value}`.toWellFormed();
const entries = new WeakMap<object, FormEntry[]>();

function listOf(form: unknown): FormEntry[] {
  const list = entries.get(form as object);
  if (list === undefined) throw Object.assign(new TypeError("Illegal invocation"), { code: "ERR_INVALID_THIS" });
  return list;
}

function requireArgs(method: string, given: number, needed: number): void {
  if (given < needed) {
    throw new TypeError(
      `FormData.${method}: ${needed} argument${needed === 1 ? "" : "s"} required, but${needed === 1 ? "" : " only"} ${given} found.`,
    );
  }
}

/** undici's makeEntry: a Blob value becomes a File, named `filename` if given, else its own name or "blob". */
function makeEntry(method: string, args: unknown[]): FormEntry {
  const [name, value, filename] = args;
  if (args.length < 3 && !(value instanceof Blob)) return { name: usv(name), value: usv(value) };
  if (!(value instanceof Blob)) throw new TypeError(`Failed to execute '${method}' on 'FormData': parameter 2 is not of type 'Blob'`);
  let file = value instanceof File ? value : new File([value], "blob", { type: value.type });
  if (filename !== undefined) file = new File([file], usv(filename), { type: file.type, lastModified: file.lastModified });
  return { name: usv(name), value: file };
}

export class FormData {
  constructor(...args: [form?: undefined]) {
    if (args[0] !== undefined) throw new TypeError("FormData constructor: Argument 1 could not be converted to: undefined.");
    entries.set(this, []);
  }
  append(...args: [name: string, value: string | Blob, filename?: string]): void {
    const list = listOf(this);
    requireArgs("append", args.length, 2);
    list.push(makeEntry("append", args));
  }
  delete(...args: [name: string]): void {
    const list = listOf(this);
    requireArgs("delete", args.length, 1);
    const name = usv(args[0]);
    entries.set(
      this,
      list.filter((entry) => entry.name !== name),
    );
  }
  get(...args: [name: string]): string | FileValue | null {
    const list = listOf(this);
    requireArgs("get", args.length, 1);
    const name = usv(args[0]);
    return list.find((entry) => entry.name === name)?.value ?? null;
  }
  getAll(...args: [name: string]): (string | FileValue)[] {
    const list = listOf(this);
    requireArgs("getAll", args.length, 1);
    const name = usv(args[0]);
    return list.filter((entry) => entry.name === name).map((entry) => entry.value);
  }
  has(...args: [name: string]): boolean {
    const list = listOf(this);
    requireArgs("has", args.length, 1);
    const name = usv(args[0]);
    return list.some((entry) => entry.name === name);
  }
  /** Replaces the first entry of the name and drops the others; appends if there is none. */
  set(...args: [name: string, value: string | Blob, filename?: string]): void {
    const list = listOf(this);
    requireArgs("set", args.length, 2);
    const entry = makeEntry("set", args);
    const first = list.findIndex((e) => e.name === entry.name);
    if (first === -1) {
      list.push(entry);
      return;
    }
    entries.set(this, [...list.slice(0, first), entry, ...list.slice(first + 1).filter((e) => e.name !== entry.name)]);
  }
  *entries(): IterableIterator<[string, string | FileValue]> {
    // Live, as undici's iterator: entries added meanwhile are reached.
    for (let at = 0; at < listOf(this).length; at++) {
      const entry = listOf(this)[at] as FormEntry;
      yield [entry.name, entry.value];
    }
  }
  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }
  *values(): IterableIterator<string | FileValue> {
    for (const [, value] of this.entries()) yield value;
  }
  forEach(callback: (value: string | FileValue, name: string, form: FormData) => void, thisArg?: unknown): void {
    listOf(this);
    if (typeof callback !== "function") {
      throw new TypeError("Failed to execute 'forEach' on 'FormData': parameter 1 is not of type 'Function'.");
    }
    for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this);
  }
  [Symbol.iterator](): IterableIterator<[string, string | FileValue]> {
    return this.entries();
  }
  get [Symbol.toStringTag]() {
    return "FormData";
  }
  /** The body fetch sends for it, as undici writes one. */
  [MULTIPART](): { bytes: Uint8Array; type: string } {
    return encodeMultipart(listOf(this));
  }
  /** formData() of a body: multipart/form-data or application/x-www-form-urlencoded, else Node's TypeError. */
  static [PARSE_FORM](bytes: Uint8Array, contentType: string | null): FormData {
    const form = new FormData();
    const { essence, parameters } = parseMimeType(contentType ?? "");
    if (essence === "multipart/form-data") {
      const boundary = parameters.get("boundary");
      try {
        if (boundary === undefined) throw new ParseFailure("no boundary");
        const makeFile = (body: Uint8Array, name: string, type: string) => new File([body], name, { type });
        entries.set(form, parseMultipart(bytes, boundary, makeFile));
      } catch (error) {
        if (error instanceof ParseFailure) throw new TypeError("Failed to parse body as FormData.");
        throw error;
      }
      return form;
    }
    if (essence === "application/x-www-form-urlencoded") {
      for (const [name, value] of new URLSearchParams(new TextDecoder().decode(bytes))) form.append(name, value);
      return form;
    }
    throw new TypeError('Content-Type was not one of "multipart/form-data" or "application/x-www-form-urlencoded".');
  }
}

// As Node's: the iterator is entries itself, and the constructor's length 1.
Object.defineProperty(FormData.prototype, Symbol.iterator, { value: FormData.prototype.entries, writable: true, configurable: true });
Object.defineProperty(FormData, "length", { value: 1 });
