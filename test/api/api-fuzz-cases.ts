/**
 * Malformed requests for the API fuzz suite: hand-listed shapes of bad input, crossed with every
 * Lambda route and SQS action, and one field at a time of a valid body swapped for a hostile value
 * chosen by a seeded generator (the same requests on every run).
 */

export interface FuzzRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/** mulberry32: small, seeded, good enough to pick cases. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const deepArray = (depth: number): string => "[".repeat(depth) + "]".repeat(depth);
export const deepObject = (depth: number): string => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

/** Values no field of any Lambda or SQS shape accepts everywhere. */
export const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  2 ** 53 + 1,
  "",
  "x".repeat(5000),
  "\u0000",
  "\ud800",
  "%zz",
  "arn:aws:lambda:us-east-1:000000000000:function:../../x",
  [],
  [1, "a", null],
  {},
  { "": { __proto__: 1 } },
  JSON.parse(deepArray(200)),
];

/** Path segments that are not what any route's parameter takes, malformed escapes first. */
export const BAD_SEGMENTS = ["%zz", "%", "%E0%A4%A", "%C0%AF", "%00", "%25zz", "a%2Fb", "..", "a".repeat(300), "%F0%9F%98%80", "x:y:z"];

/** Bodies that are not a JSON object, or not JSON at all. */
export const BAD_BODIES: (string | Uint8Array)[] = [
  "",
  "{",
  "}",
  "[]",
  '"x"',
  "null",
  "1",
  "true",
  "\uFEFF{}",
  '{"a":1,}',
  "{'a':1}",
  "NaN",
  new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
  new Uint8Array([0xc0, 0xaf]),
  // Deep enough to overflow a recursive walk (the suite sends 100,000 levels on its own too).
  deepArray(20_000),
  deepObject(20_000),
  `{"FunctionName":${deepArray(20_000)}}`,
  `{"Environment":{"Variables":${deepObject(20_000)}}}`,
];

/** Query values that are not what MaxItems, Marker, Qualifier or the listing flags take. */
export const BAD_QUERIES = [
  "MaxItems=abc",
  "MaxItems=0",
  "MaxItems=-1",
  "MaxItems=1.5",
  "MaxItems=1e3",
  "MaxItems=99999999999999999999",
  "Marker=%zz",
  "Marker=garbage",
  "Marker=%00",
  "Qualifier=%zz",
  "Qualifier=a:b",
  "FunctionVersion=x",
  "CompatibleRuntime=%zz",
  "List=ALL&MaxItems=abc",
];

interface Route {
  method: string;
  /** `{fn}` is replaced by the function, `{q}` by another segment of the route. */
  path: string;
  /** A body the route accepts, for the field swaps. */
  body?: Record<string, unknown>;
}

const ROLE = "arn:aws:iam::000000000000:role/fuzz";

/** Every route of the Lambda API but Invoke's, which src/api/invoke*.ts owns. */
export const LAMBDA_ROUTES: Route[] = [
  {
    method: "POST",
    path: "/2015-03-31/functions",
    body: {
      FunctionName: "fuzz-new",
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: ROLE,
      Code: { ZipFile: "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==" },
    },
  },
  { method: "GET", path: "/2015-03-31/functions" },
  { method: "GET", path: "/2015-03-31/functions/{fn}" },
  { method: "GET", path: "/2015-03-31/functions/{fn}/configuration" },
  { method: "PUT", path: "/2015-03-31/functions/{fn}/configuration", body: { Description: "d", MemorySize: 256, Timeout: 5 } },
  { method: "PUT", path: "/2015-03-31/functions/{fn}/code", body: { ZipFile: "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==", DryRun: true } },
  { method: "DELETE", path: "/2015-03-31/functions/{q}" },
  { method: "POST", path: "/2015-03-31/functions/{fn}/versions", body: { Description: "v" } },
  { method: "GET", path: "/2015-03-31/functions/{fn}/versions" },
  { method: "POST", path: "/2015-03-31/functions/{fn}/aliases", body: { Name: "live", FunctionVersion: "$LATEST" } },
  { method: "GET", path: "/2015-03-31/functions/{fn}/aliases" },
  { method: "GET", path: "/2015-03-31/functions/{fn}/aliases/{q}" },
  { method: "PUT", path: "/2015-03-31/functions/{fn}/aliases/{q}", body: { FunctionVersion: "$LATEST" } },
  { method: "DELETE", path: "/2015-03-31/functions/{fn}/aliases/{q}" },
  { method: "GET", path: "/2017-03-31/tags/{q}" },
  { method: "POST", path: "/2017-03-31/tags/{q}", body: { Tags: { a: "b" } } },
  { method: "DELETE", path: "/2017-03-31/tags/{q}" },
  { method: "PUT", path: "/2017-10-31/functions/{fn}/concurrency", body: { ReservedConcurrentExecutions: 1 } },
  { method: "GET", path: "/2019-09-30/functions/{fn}/concurrency" },
  { method: "DELETE", path: "/2017-10-31/functions/{q}/concurrency" },
  { method: "PUT", path: "/2019-09-30/functions/{fn}/provisioned-concurrency", body: { ProvisionedConcurrentExecutions: 1 } },
  { method: "GET", path: "/2019-09-30/functions/{fn}/provisioned-concurrency" },
  { method: "DELETE", path: "/2019-09-30/functions/{q}/provisioned-concurrency" },
  { method: "PUT", path: "/2019-09-25/functions/{fn}/event-invoke-config", body: { MaximumRetryAttempts: 1 } },
  { method: "POST", path: "/2019-09-25/functions/{fn}/event-invoke-config", body: { MaximumEventAgeInSeconds: 60 } },
  { method: "GET", path: "/2019-09-25/functions/{fn}/event-invoke-config" },
  { method: "GET", path: "/2019-09-25/functions/{fn}/event-invoke-config/list" },
  { method: "DELETE", path: "/2019-09-25/functions/{q}/event-invoke-config" },
  {
    method: "POST",
    path: "/2015-03-31/event-source-mappings",
    body: { FunctionName: "{fn}", EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:fuzz", BatchSize: 1 },
  },
  { method: "GET", path: "/2015-03-31/event-source-mappings" },
  { method: "GET", path: "/2015-03-31/event-source-mappings/{q}" },
  { method: "PUT", path: "/2015-03-31/event-source-mappings/{q}", body: { BatchSize: 2 } },
  { method: "DELETE", path: "/2015-03-31/event-source-mappings/{q}" },
  { method: "POST", path: "/2018-10-31/layers/{q}/versions", body: { Content: { ZipFile: "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==" } } },
  { method: "GET", path: "/2018-10-31/layers" },
  { method: "GET", path: "/2018-10-31/layers/{q}/versions" },
  { method: "GET", path: "/2018-10-31/layers/{q}/versions/{q}" },
  { method: "DELETE", path: "/2018-10-31/layers/{q}/versions/{q}" },
  { method: "GET", path: "/2016-08-19/account-settings" },
];

const fill = (path: string, fn: string, q: string) => path.replaceAll("{fn}", fn).replaceAll("{q}", q);

/** Each route with each bad path segment, bad query and (for routes with a body) bad body. */
export function lambdaMalformed(fn: string): FuzzRequest[] {
  const json = { "content-type": "application/json" };
  const cases: FuzzRequest[] = [];
  for (const route of LAMBDA_ROUTES) {
    const segmented = route.path.includes("{");
    for (const segment of segmented ? BAD_SEGMENTS : []) {
      const body = route.body === undefined ? undefined : JSON.stringify(route.body).replaceAll("{fn}", fn);
      cases.push({ method: route.method, path: route.path.replaceAll("{fn}", segment).replaceAll("{q}", segment), headers: json, body });
    }
    // Reads are where MaxItems, Marker and Qualifier are taken.
    for (const query of route.method === "GET" ? BAD_QUERIES : [])
      cases.push({ method: route.method, path: `${fill(route.path, fn, "x")}?${query}`, headers: json });
    for (const body of route.body === undefined ? [] : BAD_BODIES)
      cases.push({ method: route.method, path: fill(route.path, fn, "x"), headers: json, body });
  }
  return cases;
}

/** Each field of each route's valid body swapped for a hostile value, `perField` times. */
export function lambdaSwaps(fn: string, random: () => number, perField: number): FuzzRequest[] {
  const cases: FuzzRequest[] = [];
  for (const route of LAMBDA_ROUTES) {
    if (route.body === undefined) continue;
    for (const field of Object.keys(route.body)) {
      for (let i = 0; i < perField; i++) {
        const value = HOSTILE_VALUES[Math.floor(random() * HOSTILE_VALUES.length)];
        const body = JSON.stringify({ ...route.body, [field]: value }).replaceAll("{fn}", fn);
        cases.push({ method: route.method, path: fill(route.path, fn, "fuzz"), headers: { "content-type": "application/json" }, body });
      }
    }
  }
  return cases;
}

/** Requests no Lambda route takes: other methods, other paths. */
export function lambdaUnrouted(fn: string): FuzzRequest[] {
  return [
    { method: "PATCH", path: "/2015-03-31/functions" },
    { method: "DELETE", path: "/2015-03-31/functions" },
    { method: "PUT", path: `/2015-03-31/functions/${fn}` },
    { method: "OPTIONS", path: "/2015-03-31/functions" },
    { method: "GET", path: "/" },
    { method: "GET", path: "/nope" },
    { method: "GET", path: "/2015-03-31/functions/a/b/c/d" },
    { method: "GET", path: "/2099-01-01/functions" },
    { method: "POST", path: "/", headers: { "content-type": "text/plain" }, body: "hello" },
    { method: "POST", path: "/", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "Other.Thing" }, body: "{}" },
    { method: "GET", path: `/2015-03-31/functions/${fn}/invocations` },
  ];
}

/** SQS JSON protocol inputs (AWS JSON 1.0, `X-Amz-Target: AmazonSQS.<Action>`) with one valid body each. */
export function sqsJsonBodies(queueUrl: string): Record<string, Record<string, unknown>> {
  return {
    CreateQueue: { QueueName: "fuzz-created", Attributes: { VisibilityTimeout: "5" }, tags: { a: "b" } },
    GetQueueUrl: { QueueName: "fuzz" },
    ListQueues: { MaxResults: 5, QueueNamePrefix: "f" },
    GetQueueAttributes: { QueueUrl: queueUrl, AttributeNames: ["All"] },
    SetQueueAttributes: { QueueUrl: queueUrl, Attributes: { VisibilityTimeout: "5" } },
    SendMessage: {
      QueueUrl: queueUrl,
      MessageBody: "x",
      DelaySeconds: 0,
      MessageAttributes: { a: { DataType: "String", StringValue: "b" } },
    },
    SendMessageBatch: { QueueUrl: queueUrl, Entries: [{ Id: "a", MessageBody: "x" }] },
    ReceiveMessage: { QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 0, VisibilityTimeout: 0 },
    DeleteMessage: { QueueUrl: queueUrl, ReceiptHandle: "r" },
    DeleteMessageBatch: { QueueUrl: queueUrl, Entries: [{ Id: "a", ReceiptHandle: "r" }] },
    ChangeMessageVisibility: { QueueUrl: queueUrl, ReceiptHandle: "r", VisibilityTimeout: 1 },
    ChangeMessageVisibilityBatch: { QueueUrl: queueUrl, Entries: [{ Id: "a", ReceiptHandle: "r", VisibilityTimeout: 1 }] },
    TagQueue: { QueueUrl: queueUrl, Tags: { a: "b" } },
    UntagQueue: { QueueUrl: queueUrl, TagKeys: ["a"] },
    ListQueueTags: { QueueUrl: queueUrl },
    ListDeadLetterSourceQueues: { QueueUrl: queueUrl, MaxResults: 1 },
  };
}

const sqsJson = (action: string, body: string | Uint8Array): FuzzRequest => ({
  method: "POST",
  path: "/",
  headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `AmazonSQS.${action}` },
  body,
});

export function sqsJsonMalformed(queueUrl: string, random: () => number, perField: number): FuzzRequest[] {
  const cases: FuzzRequest[] = [];
  const bodies = sqsJsonBodies(queueUrl);
  for (const [action, valid] of Object.entries(bodies)) {
    for (const body of BAD_BODIES) if (body !== "") cases.push(sqsJson(action, body));
    cases.push(sqsJson(action, "{}"));
    for (const field of Object.keys(valid)) {
      for (let i = 0; i < perField; i++) {
        const value = HOSTILE_VALUES[Math.floor(random() * HOSTILE_VALUES.length)];
        cases.push(sqsJson(action, JSON.stringify({ ...valid, [field]: value })));
      }
    }
  }
  for (const action of ["Nope", "", "toString", "__proto__", "constructor", "StartMessageMoveTask", "sendmessage"])
    cases.push(sqsJson(action, "{}"));
  return cases;
}

/** SQS query protocol parameters (form-encoded `Action=...`), one valid set each. */
export function sqsQueryParams(queueUrl: string): Record<string, Record<string, string>> {
  return {
    CreateQueue: { QueueName: "fuzz-created-q", "Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "5" },
    ListQueues: { MaxResults: "5" },
    GetQueueAttributes: { QueueUrl: queueUrl, "AttributeName.1": "All" },
    SetQueueAttributes: { QueueUrl: queueUrl, "Attribute.1.Name": "DelaySeconds", "Attribute.1.Value": "0" },
    SendMessage: {
      QueueUrl: queueUrl,
      MessageBody: "x",
      DelaySeconds: "0",
      "MessageAttribute.1.Name": "a",
      "MessageAttribute.1.Value.DataType": "String",
      "MessageAttribute.1.Value.StringValue": "b",
    },
    SendMessageBatch: {
      QueueUrl: queueUrl,
      "SendMessageBatchRequestEntry.1.Id": "a",
      "SendMessageBatchRequestEntry.1.MessageBody": "x",
      "SendMessageBatchRequestEntry.1.DelaySeconds": "0",
    },
    ReceiveMessage: { QueueUrl: queueUrl, MaxNumberOfMessages: "1", WaitTimeSeconds: "0", VisibilityTimeout: "0" },
    ChangeMessageVisibility: { QueueUrl: queueUrl, ReceiptHandle: "r", VisibilityTimeout: "1" },
    DeleteMessageBatch: {
      QueueUrl: queueUrl,
      "DeleteMessageBatchRequestEntry.1.Id": "a",
      "DeleteMessageBatchRequestEntry.1.ReceiptHandle": "r",
    },
    TagQueue: { QueueUrl: queueUrl, "Tag.1.Key": "a", "Tag.1.Value": "b" },
  };
}

/** Raw form values, percent-escapes and all, that no parameter takes. */
const BAD_FORM_VALUES = ["abc", "1.5", "1e3", "-1", "99999999999999999999", "0x10", "%zz", "%", "", " 1", "1%00", "%FF%FE", "NaN"];

const form = (path: string, body: string): FuzzRequest => ({
  method: "POST",
  path,
  headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
  body,
});

const encode = (params: Record<string, string>) =>
  Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");

export function sqsQueryMalformed(queueUrl: string, queuePath: string, random: () => number, perField: number): FuzzRequest[] {
  const cases: FuzzRequest[] = [];
  for (const [action, valid] of Object.entries(sqsQueryParams(queueUrl))) {
    for (const field of Object.keys(valid)) {
      for (let i = 0; i < perField; i++) {
        const bad = BAD_FORM_VALUES[Math.floor(random() * BAD_FORM_VALUES.length)] as string;
        const rest = encode(Object.fromEntries(Object.entries(valid).filter(([k]) => k !== field)));
        cases.push(form("/", `Action=${action}&Version=2012-11-05&${rest}&${encodeURIComponent(field)}=${bad}`));
      }
    }
    // Flattened members with indices that are not 1..N.
    for (const index of ["0", "-1", "1.5", "99999999999999999999", "a", ""]) {
      cases.push(
        form("/", `Action=${action}&${encode({ QueueUrl: queueUrl })}&Attribute.${index}.Name=DelaySeconds&Attribute.${index}.Value=0`),
      );
      cases.push(
        form(queuePath, `Action=${action}&SendMessageBatchRequestEntry.${index}.Id=a&SendMessageBatchRequestEntry.${index}.MessageBody=x`),
      );
    }
  }
  for (const body of ["", "%zz=%zz", "Action", "Action=", "Action=Nope", "Action=ReceiveMessage", "&&&==", "Action=%FF", "Action=toString"])
    cases.push(form("/", body));
  cases.push(form("/", "Action=ReceiveMessage&MaxNumberOfMessages=abc"));
  cases.push(form("/", `Action=SendMessage&${encode({ QueueUrl: queueUrl, MessageBody: "x" })}&DelaySeconds=1.5`));
  cases.push(form(queuePath, "Action=ReceiveMessage&WaitTimeSeconds=1e3"));
  cases.push(
    form(
      queuePath,
      `Action=SendMessageBatch&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x&SendMessageBatchRequestEntry.1.DelaySeconds=x`,
    ),
  );
  cases.push(form(`${queuePath}-missing`, "Action=GetQueueAttributes"));
  return cases;
}
