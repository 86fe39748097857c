// The one handler `npm run bench:work` runs, unchanged, in Node in-process and inside isolambda:
// `event.case` names the work. Inputs are made (and packages loaded, clients built) once per
// environment, untimed, as a cold start would; the handler times only the work, with
// performance.now, and returns that time with a short check value both runs must agree on.
import { createCipheriv, createHash, createHmac, randomBytes } from "node:crypto";
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from "node:zlib";

const MB = 1 << 20;

/** Bytes that are not all one value, the same in both runs. */
function pattern(size) {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  return bytes;
}

/** A realistic JSON document of about `size` characters: an API's list of records. */
function jsonDocument(size) {
  const items = [];
  for (let i = 0, length = 2; length < size; i++) {
    const item = {
      id: `item-${i}`,
      name: `Product ${i}`,
      price: ((i * 7919) % 10000) / 100,
      tags: ["a", "b", `t${i % 13}`],
      active: i % 3 !== 0,
    };
    items.push(item);
    length += JSON.stringify(item).length + 1;
  }
  return JSON.stringify({ items });
}

const CASES = {
  sha256: { setup: () => pattern(MB), work: (data) => createHash("sha256").update(data).digest("hex") },
  md5: { setup: () => pattern(MB), work: (data) => createHash("md5").update(data).digest("hex") },
  hmac: {
    setup: () => undefined,
    work: () => {
      let mac = "";
      for (let i = 0; i < 1000; i++) mac = createHmac("sha256", "secret-key").update(`a small message ${i}`).digest("hex");
      return mac;
    },
  },
  base64: {
    setup: () => pattern(MB),
    work: (data) => {
      const back = Buffer.from(data.toString("base64"), "base64");
      return `${back.length}:${back[12345]}`;
    },
  },
  hex: {
    setup: () => pattern(MB),
    work: (data) => {
      const back = Buffer.from(data.toString("hex"), "hex");
      return `${back.length}:${back[12345]}`;
    },
  },
  fill: {
    setup: () => Buffer.alloc(MB),
    work: (target) => {
      const sevens = Buffer.alloc(MB, 7);
      target.fill("héllo");
      return `${sevens[MB - 1]}:${target[MB - 1]}`;
    },
  },
  search: {
    setup: () => {
      const hay = pattern(MB);
      hay.write("needle", MB - 100);
      return { hay, copy: Buffer.from(hay) };
    },
    work: ({ hay, copy }) => `${hay.indexOf("needle")}:${hay.includes("haystack")}:${hay.equals(copy)}`,
  },
  text: {
    setup: () => "héllo wörld, ünïcode 🌍 and plain ascii text. ".repeat(MB / 48),
    work: (text) => {
      const back = new TextDecoder().decode(new TextEncoder().encode(text));
      return `${back.length}:${back === text}`;
    },
  },
  gzip: {
    setup: () => Buffer.from(jsonDocument(400 * 1024)),
    work: (json) => {
      const packed = gzipSync(json);
      return `${packed.length < json.length}:${gunzipSync(packed).length}`;
    },
  },
  brotli: {
    setup: () => Buffer.from(jsonDocument(400 * 1024)),
    work: (json) => {
      const packed = brotliCompressSync(json, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } });
      return `${packed.length < json.length}:${brotliDecompressSync(packed).length}`;
    },
  },
  aesGcm: {
    setup: () => ({ data: pattern(MB), key: Buffer.alloc(32, 1), iv: Buffer.alloc(12, 2) }),
    work: ({ data, key, iv }) => {
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const sealed = Buffer.concat([cipher.update(data), cipher.final()]);
      return `${sealed.length}:${cipher.getAuthTag().toString("hex")}`;
    },
  },
  json: {
    setup: () => jsonDocument(MB),
    work: (text) => JSON.stringify(JSON.parse(text)).length,
  },
  randomBytes: { setup: () => undefined, work: () => randomBytes(MB).length },
  loop: {
    setup: () => undefined,
    work: () => {
      let x = 0;
      for (let i = 0; i < 3_000_000; i++) x = (x + i * i) % 1_000_003;
      return x;
    },
  },
  sort: {
    setup: () => {
      const numbers = [];
      for (let i = 0, seed = 42; i < 100_000; i++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        numbers.push(seed / 2147483648);
      }
      return numbers;
    },
    work: (numbers) => {
      const sorted = numbers.slice().sort((a, b) => a - b);
      return `${sorted[0]}:${sorted[sorted.length - 1]}`;
    },
  },
  jsonwebtokenRs256: {
    setup: async () => (await import("jsonwebtoken")).default,
    work: (jwt, event) => jwt.verify(event.token, event.publicKey, { algorithms: ["RS256"] }).sub,
  },
  joseEs256: {
    setup: async (event) => {
      const jose = await import("jose");
      return { jose, key: await jose.importSPKI(event.publicKey, "ES256") };
    },
    work: async ({ jose, key }, event) => (await jose.jwtVerify(event.token, key)).payload.sub,
  },
  awsJwtVerify: {
    setup: async (event) => {
      const { CognitoJwtVerifier } = await import("aws-jwt-verify");
      const verifier = CognitoJwtVerifier.create({ userPoolId: event.userPoolId, tokenUse: "access", clientId: event.clientId });
      // The pool's JWKS as an auth hook holds it after its first fetch.
      verifier.cacheJwks(event.jwks);
      return verifier;
    },
    work: async (verifier, event) => (await verifier.verify(event.token)).sub,
  },
  sqsSendMessage: {
    setup: async (event) => {
      const { SQSClient, SendMessageCommand } = await import("@aws-sdk/client-sqs");
      const client = new SQSClient({ endpoint: event.endpoint, region: "us-east-1", credentials: event.credentials });
      return { client, SendMessageCommand, body: "x".repeat(200 * 1024) };
    },
    work: async ({ client, SendMessageCommand, body }, event) => {
      let md5 = "";
      for (let i = 0; i < 3; i++)
        md5 = (await client.send(new SendMessageCommand({ QueueUrl: event.queueUrl, MessageBody: body }))).MD5OfMessageBody;
      return md5;
    },
  },
  s3PutObject: {
    setup: async (event) => {
      const { S3Client, PutObjectCommand } = await import("@aws-sdk/client-s3");
      const client = new S3Client({ endpoint: event.endpoint, region: "us-east-1", credentials: event.credentials, forcePathStyle: true });
      return { client, PutObjectCommand, body: pattern(MB) };
    },
    work: async ({ client, PutObjectCommand, body }) =>
      (await client.send(new PutObjectCommand({ Bucket: "bench", Key: "object", Body: body }))).ETag,
  },
};

const prepared = new Map();

export const handler = async (event) => {
  const work = CASES[event.case];
  if (work === undefined) throw new Error(`No case named ${event.case}`);
  if (!prepared.has(event.case)) prepared.set(event.case, await work.setup(event));
  const input = prepared.get(event.case);
  const started = performance.now();
  const check = await work.work(input, event);
  return { ms: performance.now() - started, check: String(check).slice(0, 80) };
};

export const caseIds = Object.keys(CASES);
