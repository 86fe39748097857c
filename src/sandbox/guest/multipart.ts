// multipart/form-data as Node's fetch (undici) writes and reads it: the body of a FormData
// (lib/web/fetch/body.js extractBody) and the parser of Request and Response's formData()
// (lib/web/fetch/formdata-parser.js, the WHATWG multipart/form-data parser, as strict as Node 20's:
// no preamble or epilogue, CRLF line ends, `form-data; name="` first). Bodies are held whole here,
// so both work on one byte array.
import { BLOB_BYTES } from "./body-symbols.js";

/** One entry of a form: a string, or a File (a Blob of the global class with a name). */
export interface FormEntry {
  name: string;
  value: string | File;
}

type File = InstanceType<typeof globalThis.File>;

const formdataEscape = (text: string) => text.replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/"/g, "%22");
const normalizeLinefeeds = (text: string) => text.replace(/\r?\n|\r/g, "\r\n");

/** The body and content type of `entries`, with a boundary of undici's form. */
export function encodeMultipart(entries: readonly FormEntry[]): { bytes: Uint8Array; type: string } {
  const boundary = `----formdata-undici-0${`${Math.floor(Math.random() * 1e11)}`.padStart(11, "0")}`;
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const prefix = `--${boundary}\r\nContent-Disposition: form-data`;
  for (const { name, value } of entries) {
    const named = `${prefix}; name="${formdataEscape(normalizeLinefeeds(name))}"`;
    if (typeof value === "string") {
      parts.push(encoder.encode(`${named}\r\n\r\n${normalizeLinefeeds(value)}\r\n`));
      continue;
    }
    const filename = value.name ? `; filename="${formdataEscape(value.name)}"` : "";
    parts.push(encoder.encode(`${named}${filename}\r\nContent-Type: ${value.type || "application/octet-stream"}\r\n\r\n`));
    parts.push((value as unknown as { [BLOB_BYTES](): Uint8Array })[BLOB_BYTES](), encoder.encode("\r\n"));
  }
  parts.push(encoder.encode(`--${boundary}--\r\n`));
  const bytes = new Uint8Array(parts.reduce((size, part) => size + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.byteLength;
  }
  return { bytes, type: `multipart/form-data; boundary=${boundary}` };
}

/** The parser's failure; formData() rejects with Node's TypeError for any. */
class ParseFailure extends Error {}

const CR = 0x0d;
const LF = 0x0a;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Where `needle` starts in `bytes` at or after `from`, or -1. */
function indexOf(bytes: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  for (
    let at = bytes.indexOf(first as number, from);
    at !== -1 && at + needle.length <= bytes.length;
    at = bytes.indexOf(first as number, at + 1)
  ) {
    let i = 1;
    while (i < needle.length && bytes[at + i] === needle[i]) i++;
    if (i === needle.length) return at;
  }
  return -1;
}

/** Bytes as the code points of their values (fetch's isomorphic decode), in slices a call's arguments can hold. */
function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let at = 0; at < bytes.length; at += 8192) text += String.fromCharCode(...bytes.subarray(at, at + 8192));
  return text;
}

const startsWith = (bytes: Uint8Array, prefix: Uint8Array, at: number) => indexOf(bytes.subarray(at, at + prefix.length), prefix, 0) === 0;

/** The entries of a multipart/form-data body whose boundary parameter is `boundary`. */
export function parseMultipart(
  input: Uint8Array,
  boundary: string,
  makeFile: (bytes: Uint8Array, name: string, type: string) => File,
): FormEntry[] {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const delimiter = encoder.encode(`--${boundary}`);
  const bodyEnd = encoder.encode(`\r\n--${boundary}`);
  // As undici: CRLFs before the first delimiter and after the last are allowed.
  let at = 0;
  while (input[at] === CR && input[at + 1] === LF) at += 2;
  let end = input.length;
  while (input[end - 2] === CR && input[end - 1] === LF) end -= 2;
  const bytes = input.subarray(0, end);
  const entries: FormEntry[] = [];
  const collect = (keep: (byte: number) => boolean) => {
    const from = at;
    while (at < bytes.length && keep(bytes[at] as number)) at++;
    return bytes.subarray(from, at);
  };
  const expectCrlf = () => {
    if (bytes[at] !== CR || bytes[at + 1] !== LF) throw new ParseFailure("expected CRLF");
    at += 2;
  };
  /** A quoted name or filename, the opening quote passed: its %0A, %0D and %22 are the bytes they stand for. */
  const quoted = () => {
    const raw = collect((byte) => byte !== LF && byte !== CR && byte !== 0x22);
    if (bytes[at] !== 0x22) throw new ParseFailure('expected "');
    at++;
    return decoder.decode(raw).replace(/%0A/gi, "\n").replace(/%0D/gi, "\r").replace(/%22/g, '"');
  };
  const formDataName = encoder.encode('form-data; name="');
  const filenameAttribute = encoder.encode('; filename="');
  for (;;) {
    if (!startsWith(bytes, delimiter, at)) throw new ParseFailure("expected the boundary");
    at += delimiter.length;
    if (at === bytes.length - 2 && bytes[at] === 0x2d && bytes[at + 1] === 0x2d) return entries;
    expectCrlf();
    let name: string | null = null;
    let filename: string | null = null;
    let contentType: string | null = null;
    let encoding: string | null = null;
    while (bytes[at] !== CR || bytes[at + 1] !== LF) {
      const header = decoder.decode(collect((byte) => byte !== LF && byte !== CR && byte !== 0x3a)).replace(/^[\t ]+|[\t ]+$/g, "");
      if (!TOKEN.test(header) || bytes[at] !== 0x3a) throw new ParseFailure("bad header");
      at++;
      collect((byte) => byte === 0x20 || byte === 0x09);
      const value = () => latin1(collect((byte) => byte !== LF && byte !== CR)).replace(/[\t ]+$/, "");
      switch (header.toLowerCase()) {
        case "content-disposition":
          if (!startsWith(bytes, formDataName, at)) throw new ParseFailure('expected form-data; name="');
          at += formDataName.length;
          name = quoted();
          filename = null;
          if (startsWith(bytes, filenameAttribute, at)) {
            at += filenameAttribute.length;
            filename = quoted();
          }
          break;
        case "content-type":
          contentType = value();
          break;
        case "content-transfer-encoding":
          encoding = value();
          break;
        default:
          collect((byte) => byte !== LF && byte !== CR);
      }
      expectCrlf();
    }
    if (name === null) throw new ParseFailure("no name");
    at += 2;
    const close = indexOf(bytes, bodyEnd, at);
    if (close === -1) throw new ParseFailure("expected the boundary after a body");
    let body = bytes.subarray(at, close);
    at = close;
    expectCrlf();
    if (encoding === "base64") body = new Uint8Array(Buffer.from(latin1(body), "base64"));
    if (filename === null) {
      entries.push({ name, value: decoder.decode(body) });
    } else {
      const type = contentType ?? "text/plain";
      entries.push({ name, value: makeFile(body, filename, /^[\0-\x7f]*$/.test(type) ? type : "") });
    }
  }
}

/** Content-Type's essence and parameters, as fetch's MIME type parser reads them (lower-cased names). */
export function parseMimeType(text: string): { essence: string; parameters: Map<string, string> } {
  const [essence = "", ...rest] = text.split(";");
  const parameters = new Map<string, string>();
  for (const part of rest) {
    const at = part.indexOf("=");
    if (at === -1) continue;
    const key = part.slice(0, at).trim().toLowerCase();
    let value = part.slice(at + 1).trim();
    if (value.startsWith('"'))
      value = value.slice(1, value.indexOf('"', 1) === -1 ? undefined : value.indexOf('"', 1)).replace(/\\(.)/g, "$1");
    if (key !== "" && !parameters.has(key)) parameters.set(key, value);
  }
  return { essence: essence.trim().toLowerCase(), parameters };
}

export { ParseFailure };
