/**
 * NUL characters, which quickjs-emscripten's C strings end at: in a module's source (legal in string,
 * template and regular expression literals) and in what a function logs (a binary body logged as
 * text). Node takes both as they are; so must the sandbox, losing neither the rest of the source,
 * the lines after it, nor the function's answer.
 */
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { invokeOnce, messagesAt, resultOf, useSandbox } from "./harness.js";
import { answersAsNode } from "./node-twin.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

// Raw NULs (not escapes) in a string, a template and a regular expression literal, and a comment.
const LITERALS = "const s = 'a\0b'; const t = `c\0${1}`; const r = /x\0y/; // d\0e";
const ANSWER = "({ s: [s.length, s.charCodeAt(1)], t: [t.length, t.charCodeAt(1)], r: r.test('x\\0y'), after: 'rest of the file' })";

describe("NUL characters", () => {
  it("in a CommonJS source's literals mean what they mean in Node, and the rest of the file is read", async () => {
    await answersAsNode(sandbox, { "index.js": `${LITERALS}\nexports.handler = async () => ${ANSWER};` });
  });

  it("in an ES module's literals too", async () => {
    const result = await invokeOnce(sandbox, { "index.mjs": `${LITERALS}\nexport const handler = async () => ${ANSWER};` });
    expect(resultOf(result)).toEqual({ s: [3, 0], t: [3, 0], r: true, after: "rest of the file" });
  });

  it("in what a function logs reach its log whole, with the lines after them and its answer", async () => {
    const source = `exports.handler = async () => {
      console.log('before\\u0000after');
      console.error(Buffer.from([104, 0, 105]).toString());
      console.log('next line');
      process.stdout.write('raw\\u0000write\\n');
      return { body: 'a\\u0000b' };
    };`;
    const result = await invokeOnce(sandbox, { "index.js": source });
    expect(resultOf(result)).toEqual({ body: "a\0b" });
    expect(messagesAt(result.logs, "INFO")).toEqual(["before\0after", "next line"]);
    expect(messagesAt(result.logs, "ERROR")).toEqual(["h\0i"]);
    expect(result.logs).toContain("\nraw\0write\n");
  });

  it("in text given to the native built-ins (hashes, HMAC keys, ciphers, zlib, Intl, files) answer as Node's", async () => {
    const source = `const c = require('node:crypto'); const zlib = require('node:zlib'); const fs = require('node:fs');
exports.handler = async () => {
  const s = 'a\\u0000b' + 'x'.repeat(10); const long = 'q\\u0000'.repeat(100);
  const out = {};
  const t = (k, f) => { try { out[k] = f(); } catch (e) { out[k] = 'ERR ' + e.message; } };
  t('hash', () => c.createHash('sha256').update(s).digest('hex'));
  t('hashLong', () => c.createHash('sha256').update(long).digest('hex'));
  t('hashOne', () => c.hash('sha1', s));
  t('hmac', () => c.createHmac('sha256', 'k\\u0000k').update(s).digest('base64'));
  t('hmacKeyLong', () => c.createHmac('sha256', long).update(long).digest('hex'));
  t('pbkdf2', () => c.pbkdf2Sync('p\\u0000w', 's\\u0000t', 10, 16, 'sha256').toString('hex'));
  t('gzip', () => zlib.gunzipSync(zlib.gzipSync(s)).toString() === s);
  t('buf', () => [...Buffer.from(s)].length);
  t('bufHex', () => Buffer.from(s, 'latin1').toString('hex'));
  t('te', () => new TextEncoder().encode(s).length);
  t('json', () => JSON.stringify({ s }).length);
  t('fs', () => { fs.writeFileSync('/tmp/nul.txt', s); return fs.readFileSync('/tmp/nul.txt', 'utf8') === s; });
  t('fsName', () => { try { fs.writeFileSync('/tmp/a\\u0000b', 'x'); return 'wrote'; } catch (e) { return e.code; } });
  t('btoa', () => btoa(s));
  t('url', () => encodeURIComponent(s));
  t('cipher', () => { const k = Buffer.alloc(32, 1), iv = Buffer.alloc(16, 2); const e = c.createCipheriv('aes-256-cbc', k, iv); return Buffer.concat([e.update(s, 'utf8'), e.final()]).toString('hex'); });
  t('sign', () => { const { privateKey, publicKey } = c.generateKeyPairSync('ed25519'); const sig = c.sign(null, Buffer.from(s), privateKey); return c.verify(null, Buffer.from(s), publicKey, sig); });
  t('signStr', () => { const { privateKey, publicKey } = c.generateKeyPairSync('ec', { namedCurve: 'P-256' }); const sig = c.createSign('sha256').update(s).sign(privateKey); return c.createVerify('sha256').update(s).verify(publicKey, sig); });
  t('intl', () => new Intl.Collator('en').compare(s, 'a'));
  t('intlFormat', () => new Intl.ListFormat('en').format([s, 'z']).length);
  t('textDecoder', () => new TextDecoder().decode(Buffer.from(s)).length);
  t('stringDecoder', () => new (require('string_decoder').StringDecoder)('utf8').write(Buffer.from(s)).length);
  t('util', () => require('node:util').format('%s|%j', s, { s }).length);
  t('structured', () => structuredClone({ s }).s.length);
  t('error', () => { try { throw new Error(s); } catch (e) { return e.message.length; } });
  return out;
};`;
    await answersAsNode(sandbox, { "index.js": source });
  });
});
