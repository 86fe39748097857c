/**
 * Buffer's string codecs, TextEncoder/TextDecoder and atob/btoa: short input is converted in the
 * guest, longer input by the host's Node; both are compared with the host's results, on either side
 * of the crossing sizes, with invalid UTF-8, lone surrogates, NULs and streams split at every byte.
 * Strings come back as arrays of UTF-16 units, which JSON carries exactly.
 */
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { BYTES_SOURCE, bytes } from "./deterministic-bytes.js";
import { type Files, invokeOnce, resultOf, useSandbox } from "./harness.js";
import { answersAsNode } from "./node-twin.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

/** The guest's helpers: bytes() as deterministic-bytes.ts makes them, and UTF-16 units both ways. */
const HELPERS = `${BYTES_SOURCE}
const units = (s) => { const out = new Array(s.length); for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i); return out; };
const fromUnits = (a) => { let s = ''; for (const u of a) s += String.fromCharCode(u); return s; };
const thrown = (fn) => { try { fn(); } catch (e) { return { name: e.name, code: e.code, message: e.message }; } return 'did not throw'; };`;
const units = (s: string): number[] => Array.from({ length: s.length }, (_, i) => s.charCodeAt(i));
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    const e = error as Error & { code?: unknown };
    return { name: e.name, code: e.code, message: e.message };
  }
  return "did not throw";
}

async function run(body: string, event: unknown = {}): Promise<unknown> {
  const files: Files = { "index.js": `${HELPERS}\n${body}` };
  return resultOf(await invokeOnce(sandbox, files, event, { memorySizeMB: 256 }));
}

/** Sizes on both sides of the guest's crossing sizes (32 and 64). */
const SIZES = [0, 1, 2, 3, 31, 32, 33, 63, 64, 65, 255, 1000, 70_001];
const ENCODINGS = ["utf8", "utf-8", "hex", "base64", "base64url", "latin1", "binary", "ascii", "utf16le", "ucs2", "UTF8", "Base64"];

/** Text with every kind of UTF-16 content: ASCII, Latin-1, BMP, astral pairs, NUL and lone surrogates. */
function text(n: number): string {
  const pieces = ["a", "é", "€", "😀", "\0", "\ud800", "\udc00", "z", "ÿ", "中"];
  let out = "";
  for (let i = 0; out.length < n; i++) out += pieces[(i * 7 + (i >> 3)) % pieces.length];
  return out.slice(0, n);
}

describe("Buffer's codecs", () => {
  it("toString in every encoding equals the host's, below and above the crossing size", async () => {
    const out = await run(
      `exports.handler = async ({ sizes, encodings }) => encodings.map((e) => sizes.map((n) => units(bytes(n, n + 5).toString(e))));`,
      { sizes: SIZES, encodings: ENCODINGS },
    );
    expect(out).toEqual(ENCODINGS.map((e) => SIZES.map((n) => units(bytes(n, n + 5).toString(e as BufferEncoding)))));
  });

  it("toString with start and end, clamped as Node clamps them", async () => {
    const RANGES: [number | undefined, number | undefined][] = [
      [10, 600],
      [-5, 400],
      [300, 100_000],
      [undefined, 300],
      [700, 600],
      [1.7, 299.2],
    ];
    const out = await run(
      `exports.handler = async ({ ranges }) => ranges.map(([s, e]) => units(bytes(1000, 3).toString('base64', s ?? undefined, e ?? undefined)));`,
      {
        ranges: RANGES,
      },
    );
    expect(out).toEqual(RANGES.map(([s, e]) => units(bytes(1000, 3).toString("base64", s, e))));
  });

  it("from(string) and byteLength in every encoding equal the host's, with NULs and lone surrogates", async () => {
    // And strings the host's short read could take for others: a lone surrogate (three units once
    // decoded) beside a NUL (the end of a C string) leave the length as it was; a real U+FFFD.
    const STRINGS = [...SIZES.map((n) => text(n)), "\ud800a\0b", "x\ufffdy", "\ufffd\0", "ab\udfffc\0\0d"];
    const HEX = ["", "0", "abc", "00ff10", "0g12", "ABCDEF".repeat(100), `${"ab".repeat(300)}zz${"cd".repeat(10)}`];
    const BASE64 = ["", "QQ", "QQ==", "QUJD\nREVG", "a-_b", "YW=Jj", " YWJj ", "QUJD".repeat(200), `${"QUJD".repeat(100)}=QUJD`];
    const out = (await run(
      `exports.handler = async ({ strings, encodings, hex, base64 }) => {
        const s = strings.map(fromUnits);
        return {
          text: encodings.map((e) => s.map((t) => [...Buffer.from(t, e)])),
          lengths: encodings.map((e) => s.map((t) => Buffer.byteLength(t, e))),
          hex: hex.map((t) => [...Buffer.from(t, 'hex')]),
          base64: base64.map((t) => [...Buffer.from(t, 'base64')]),
          base64url: base64.map((t) => [...Buffer.from(t, 'base64url')]),
        };
      };`,
      { strings: STRINGS.map(units), encodings: ENCODINGS, hex: HEX, base64: BASE64 },
    )) as Record<string, unknown>;
    const mismatches = ENCODINGS.flatMap((e, i) =>
      STRINGS.flatMap((t, j) => {
        const expected = [...Buffer.from(t, e as BufferEncoding)];
        const got = (out.text as number[][][])[i]?.[j];
        return JSON.stringify(got) === JSON.stringify(expected)
          ? []
          : [`${e} ${t.length}: ${JSON.stringify(got).slice(0, 200)} vs ${JSON.stringify(expected).slice(0, 200)}`];
      }),
    );
    expect(mismatches).toEqual([]);
    expect(out.lengths).toEqual(ENCODINGS.map((e) => STRINGS.map((t) => Buffer.byteLength(t, e as BufferEncoding))));
    expect(out.hex).toEqual(HEX.map((t) => [...Buffer.from(t, "hex")]));
    expect(out.base64).toEqual(BASE64.map((t) => [...Buffer.from(t, "base64")]));
    expect(out.base64url).toEqual(BASE64.map((t) => [...Buffer.from(t, "base64url")]));
  });

  it("decodes invalid UTF-8 as Node does: one U+FFFD per maximal invalid sequence, at any size", async () => {
    const INVALID = [
      [0xff],
      [0x61, 0xc3],
      [0xe2, 0x82],
      [0xf0, 0x9f, 0x98],
      [0xed, 0xa0, 0x80],
      [0xc0, 0xaf, 0x61],
      [0xf4, 0x90, 0x80, 0x80],
    ];
    const cases = [...INVALID, ...INVALID.map((seq) => [...Array(300).fill(0x62), ...seq, 0x63])];
    const out = await run(`exports.handler = async ({ cases }) => cases.map((c) => units(Buffer.from(c).toString()));`, { cases });
    expect(out).toEqual(cases.map((c) => units(Buffer.from(c).toString())));
  });

  it("write stops at the room left, never splitting a character, as Node's does", async () => {
    const CASES: [string, number, number | undefined, string][] = [
      [text(400), 0, undefined, "utf8"],
      ["é".repeat(300), 1, 101, "utf8"],
      ["😀".repeat(300), 3, 450, "utf8"],
      ["ab".repeat(300), 10, 7, "hex"],
      ["€".repeat(300), 0, 501, "utf16le"],
      ["QUJD".repeat(100), 5, undefined, "base64"],
      ["x".repeat(300), 2000, undefined, "latin1"],
    ];
    const out = await run(
      `exports.handler = async ({ cases }) => cases.map(([t, offset, length, encoding]) => {
        const buf = Buffer.alloc(600, 1);
        const count = length === null ? buf.write(fromUnits(t), offset, encoding) : buf.write(fromUnits(t), offset, length, encoding);
        return [count, [...buf]];
      });`,
      { cases: CASES.map(([t, o, l, e]) => [units(t), Math.min(o, 600), l ?? null, e]) },
    );
    expect(out).toEqual(
      CASES.map(([t, offset, length, encoding]) => {
        const buf = Buffer.alloc(600, 1);
        const at = Math.min(offset, 600);
        const count =
          length === undefined ? buf.write(t, at, encoding as BufferEncoding) : buf.write(t, at, length, encoding as BufferEncoding);
        return [count, [...buf]];
      }),
    );
  });

  it("subarray and slice take their ends as Node's do and share the memory, as Buffers", async () => {
    const source = `exports.handler = async () => {
      const ends = [undefined, 0, 3, -2, 7.9, -7.9, 100, -100, NaN, Infinity, -Infinity, '2', null, true, { valueOf: () => 4 }, 2 ** 32 + 1];
      const base = Buffer.from('0123456789abcdef').subarray(2, 12);
      const cut = (method) => ends.flatMap((start) => ends.map((end) => {
        try {
          const part = base[method](start, end);
          return [part.toString(), part.byteOffset - base.byteOffset, Buffer.isBuffer(part), part.constructor.name];
        } catch (e) { return [e.name]; }
      }));
      const shared = base.subarray(1, 3);
      shared[0] = 120;
      const bigint = (() => { try { base.subarray(1n); return 'no error'; } catch (e) { return e.name; } })();
      return { subarray: cut('subarray'), slice: cut('slice'), shared: base.toString(), bigint };
    };`;
    await answersAsNode(sandbox, { "index.js": source });
  });

  it("fill and alloc with a fill write what Node's do: bytes, patterns in every encoding, ends, and 1 MB", async () => {
    const source = `const { createHash } = require('node:crypto');
      exports.handler = async () => {
        const values = [0, 7, 255, 256, 257, -1, 1.5, NaN, Infinity, true, '', 'a', 'ab', 'é', '€', '😀x', 'abcd', '/w==', Buffer.from([1, 2, 3]), new Uint8Array([9, 8])];
        const encodings = [undefined, 'utf8', 'latin1', 'hex', 'base64', 'ucs2', 'ascii'];
        const ranges = [[], [0], [3], [2, 9], [5, 5], [0, 13], [12, 13]];
        const out = [];
        for (const value of values) for (const encoding of encodings) for (const range of ranges) {
          try {
            const buf = Buffer.alloc(13, 0xee);
            const args = typeof value === 'string' && encoding !== undefined ? [value, ...range, encoding] : [value, ...range];
            out.push(buf.fill(...args).toString('hex'));
          } catch (e) { out.push(e.name); }
        }
        const big = Buffer.alloc(1 << 20, 'isolambda€');
        const sizes = [0, 1, 5, 4096].map((n) => Buffer.alloc(n, 'xyz', 'latin1').toString('hex'));
        return { out, big: createHash('sha256').update(big).digest('hex'), byte: Buffer.alloc(3 << 20, 7).indexOf(0), sizes };
      };`;
    await answersAsNode(sandbox, { "index.js": source });
  });

  it("indexOf, lastIndexOf, includes, compare and equals answer as Node's, below and above the host's size", async () => {
    const source = `exports.handler = async () => {
      const text = (n) => { let s = ''; for (let i = 0; s.length < n; i++) s += 'abcé€'[(i * 7 + (i >> 2)) % 5]; return s.slice(0, n); };
      const hays = [100, 511, 512, 3000].map((n) => Buffer.from('xx' + text(n) + 'needle€' + text(50)).subarray(2));
      const needles = ['needle€', 'é€a', '', 'zz', 'abcé€'.repeat(800), '6e6565646c65', 'bmVlZGxl', 'n\\u0000e', Buffer.from('needle'), new Uint8Array([0x82, 0xac]), 101];
      const offsets = [undefined, 0, 5, -40, -100000, 100000, NaN, 2.7, '7', 'hex', 'ucs2'];
      const encodings = [undefined, 'utf8', 'hex', 'base64', 'latin1', 'ucs2'];
      const out = [];
      for (const hay of hays) for (const needle of needles) for (const offset of offsets) for (const encoding of encodings) {
        const args = encoding === undefined ? [needle, offset] : [needle, offset, encoding];
        const answer = (method) => { try { return hay[method](...args); } catch (e) { return e.name; } };
        out.push([answer('indexOf'), answer('lastIndexOf'), answer('includes')]);
      }
      const big = Buffer.alloc(4096, 3);
      const other = Buffer.from(big);
      const compares = [[big, other], [big, other.subarray(1)], [big.subarray(1), other], [Buffer.alloc(600, 2), big], [big, Buffer.alloc(600, 4)], [new Uint8Array(700), Buffer.alloc(700)]];
      other[4000] = 4;
      const ranged = [[], [0, 600], [1, 4000, 1], [undefined, undefined, 2, 9]].map((r) => big.compare(other, ...r));
      return { out, ranged, compares: compares.map(([a, b]) => [Buffer.compare(a, b), Buffer.from(a).equals(b), Buffer.from(a).compare(b)]) };
    };`;
    await answersAsNode(sandbox, { "index.js": source });
  });

  it("round-trips 1 MB through base64, base64url, hex and latin1", async () => {
    const out = await run(`exports.handler = async () => {
      const data = bytes(1 << 20, 11);
      const forms = ['base64', 'base64url', 'hex', 'latin1'];
      return { same: forms.map((f) => Buffer.from(data.toString(f), f).equals(data)), base64Length: data.toString('base64').length, tail: data.toString('base64').slice(-16) };
    };`);
    const data = bytes(1 << 20, 11);
    expect(out).toEqual({
      same: [true, true, true, true],
      base64Length: data.toString("base64").length,
      tail: data.toString("base64").slice(-16),
    });
  });

  it("makes a long text's bytes again as new, unshared buffers, per encoding (the last one is kept to copy)", async () => {
    const out = await run(`exports.handler = async () => {
      const text = 'ab€'.repeat(20000) + 'ff';
      const first = Buffer.from(text);
      first[0] = 0x21;
      const second = Buffer.from(text);
      const viaEncoder = new TextEncoder().encode(text);
      const hex = Buffer.from(text.slice(0, 40000).replace(/[^a-f]/g, 'a'), 'hex');
      const latin1 = Buffer.from(text, 'latin1');
      second[1] = 0x22;
      const third = Buffer.from(text);
      return { first: first.subarray(0, 4).toString('hex'), second: second.subarray(0, 4).toString('hex'), third: third.subarray(0, 4).toString('hex'),
        lengths: [first.length, second.length, third.length, viaEncoder.length, latin1.length, hex.length], latin1Tail: latin1.subarray(-4).toString('hex'),
        shared: first.buffer === second.buffer || second.buffer === third.buffer };
    };`);
    const text = `${"ab€".repeat(20000)}ff`;
    expect(out).toEqual({
      first: `21${Buffer.from(text).subarray(1, 4).toString("hex")}`,
      second: `${Buffer.from(text).subarray(0, 1).toString("hex")}22${Buffer.from(text).subarray(2, 4).toString("hex")}`,
      third: Buffer.from(text).subarray(0, 4).toString("hex"),
      lengths: [Buffer.byteLength(text), Buffer.byteLength(text), Buffer.byteLength(text), Buffer.byteLength(text), text.length, 20000],
      latin1Tail: Buffer.from(text, "latin1").subarray(-4).toString("hex"),
      shared: false,
    });
  });
});

describe("TextEncoder and TextDecoder", () => {
  it("encode and decode equal the host's, at every size, with lone surrogates replaced", async () => {
    const STRINGS = [...SIZES, 300_000].map((n) => text(n));
    const out = (await run(
      `exports.handler = async ({ strings }) => strings.map((u) => {
        const encoded = new TextEncoder().encode(fromUnits(u));
        return [encoded instanceof Uint8Array, encoded.length, units(new TextDecoder().decode(encoded))];
      });`,
      { strings: STRINGS.map(units) },
    )) as [boolean, number, number[]][];
    expect(out).toEqual(
      STRINGS.map((s) => {
        const encoded = new TextEncoder().encode(s);
        return [true, encoded.length, units(new TextDecoder().decode(encoded))];
      }),
    );
  });

  it("encodeInto writes whole characters and counts what it read", async () => {
    const CASES: [string, number][] = [
      ["héllo", 3],
      ["😀😀", 5],
      ["abc", 10],
      ["€€€".repeat(200), 301],
      ["a\ud800b", 4],
    ];
    const out = await run(
      `exports.handler = async ({ cases }) => cases.map(([u, n]) => { const dest = new Uint8Array(n); const r = new TextEncoder().encodeInto(fromUnits(u), dest); return [r.read, r.written, [...dest]]; });`,
      { cases: CASES.map(([s, n]) => [units(s), n]) },
    );
    expect(out).toEqual(
      CASES.map(([s, n]) => {
        const dest = new Uint8Array(n);
        const r = new TextEncoder().encodeInto(s, dest);
        return [r.read, r.written, [...dest]];
      }),
    );
  });

  it("labels, BOMs, fatal errors, UTF-16LE and latin1 as the host's", async () => {
    const bom = [0xef, 0xbb, 0xbf, 0x68, 0x69];
    const utf16 = [0xff, 0xfe, 0x41, 0x00, 0x3d, 0xd8, 0x00, 0xde];
    const latin = [0x80, 0xe9, 0x41];
    const out = await run(
      `exports.handler = async ({ bom, utf16, latin }) => ({
        bom: units(new TextDecoder().decode(new Uint8Array(bom))),
        keptBom: units(new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array(bom))),
        utf16: units(new TextDecoder('utf-16le').decode(new Uint8Array(utf16))),
        latin: units(new TextDecoder('latin1').decode(new Uint8Array(latin))),
        names: ['UTF-8', ' utf8 ', 'utf-16', 'latin1', 'ascii', 'unicode-1-1-utf-8'].map((l) => new TextDecoder(l).encoding),
        fatal: thrown(() => new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0x61, 0xff]))),
        unknown: thrown(() => new TextDecoder('nope')),
        notBytes: thrown(() => new TextDecoder().decode('x')),
        view: new TextDecoder().decode(new DataView(new Uint8Array([0x68, 0x69]).buffer)),
        flags: [new TextDecoder('utf-8', { fatal: true }).fatal, new TextDecoder().ignoreBOM],
      })`,
      { bom, utf16, latin },
    );
    expect(out).toEqual({
      bom: units(new TextDecoder().decode(new Uint8Array(bom))),
      keptBom: units(new TextDecoder("utf-8", { ignoreBOM: true }).decode(new Uint8Array(bom))),
      utf16: units(new TextDecoder("utf-16le").decode(new Uint8Array(utf16))),
      latin: units(new TextDecoder("latin1").decode(new Uint8Array(latin))),
      names: ["UTF-8", " utf8 ", "utf-16", "latin1", "ascii", "unicode-1-1-utf-8"].map((l) => new TextDecoder(l).encoding),
      fatal: thrown(() => new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array([0x61, 0xff]))),
      unknown: thrown(() => new TextDecoder("nope")),
      notBytes: thrown(() => new TextDecoder().decode("x" as never)),
      view: "hi",
      flags: [true, false],
    });
  });

  it("a stream split at every byte decodes as the whole, the BOM dropped once", async () => {
    const sample = [...Buffer.from("\ufeffa€😀é\ufeffz")];
    const utf16 = [...Buffer.from("\ufeffa😀€", "utf16le")];
    const out = await run(
      `exports.handler = async ({ sample, utf16 }) => {
        const split = (label, all) => {
          const results = [];
          for (let cut = 0; cut <= all.length; cut++) {
            const d = new TextDecoder(label);
            results.push(units(d.decode(new Uint8Array(all.slice(0, cut)), { stream: true }) + d.decode(new Uint8Array(all.slice(cut)))));
          }
          return results;
        };
        return { utf8: split('utf-8', sample), utf16: split('utf-16le', utf16) };
      };`,
      { sample, utf16 },
    );
    const split = (label: string, all: number[]) => {
      const results: number[][] = [];
      for (let cut = 0; cut <= all.length; cut++) {
        const d = new TextDecoder(label);
        results.push(units(d.decode(new Uint8Array(all.slice(0, cut)), { stream: true }) + d.decode(new Uint8Array(all.slice(cut)))));
      }
      return results;
    };
    expect(out).toEqual({ utf8: split("utf-8", sample), utf16: split("utf-16le", utf16) });
  });
});

describe("atob and btoa", () => {
  it("equal the host's for short and long input, and refuse what it refuses", async () => {
    const binary = bytes(1000, 4).toString("latin1");
    const out = await run(
      `exports.handler = async ({ binary }) => {
        const b = fromUnits(binary);
        return {
          short: btoa('hello'),
          long: btoa(b),
          back: units(atob(btoa(b))),
          spaced: units(atob(' aGVs bG8= ')),
          longInvalid: thrown(() => atob('*'.repeat(400))),
          longWide: thrown(() => btoa('€'.repeat(300))),
          shortWide: thrown(() => btoa('€')),
        };
      };`,
      { binary: units(binary) },
    );
    expect(out).toEqual({
      short: btoa("hello"),
      long: btoa(binary),
      back: units(binary),
      spaced: units(atob(" aGVs bG8= ")),
      longInvalid: thrown(() => atob("*".repeat(400))),
      longWide: thrown(() => btoa("€".repeat(300))),
      shortWide: thrown(() => btoa("€")),
    });
  });
});
