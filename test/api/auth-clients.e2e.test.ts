/**
 * --auth sigv4 with the other clients people point at isolambda: the AWS CLI and boto3 (botocore
 * signs differently from the JavaScript SDK: no x-amz-content-sha256, its own header set).
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { useServer } from "./server.js";

const KEY = { accessKeyId: "AKIAISOLAMBDACLIENTS", secretAccessKey: "clients-secret" };
const api = useServer({ auth: { mode: "sigv4", credentials: [KEY, { accessKeyId: "test", secretAccessKey: "test" }] } });
const run = promisify(execFile);
const scratch = mkdtempSync(path.join(tmpdir(), "isolambda-auth-clients-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** No profile, no shared files and no instance metadata: only the keys given here. */
function clientEnv(key: { accessKeyId: string; secretAccessKey: string } | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: scratch,
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_CONFIG_FILE: path.join(scratch, "none"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(scratch, "none"),
    AWS_EC2_METADATA_DISABLED: "true",
  };
  if (key !== undefined) {
    env.AWS_ACCESS_KEY_ID = key.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = key.secretAccessKey;
  }
  return env;
}

/** The AWS CLI's output, or its error text; it exits non-zero on a service error. */
async function aws(args: string[], key?: { accessKeyId: string; secretAccessKey: string }): Promise<{ ok: boolean; out: string }> {
  const unsigned = key === undefined ? ["--no-sign-request"] : [];
  try {
    const { stdout } = await run("aws", ["--endpoint-url", api.url, ...unsigned, ...args], { env: clientEnv(key), timeout: 60_000 });
    return { ok: true, out: stdout };
  } catch (error) {
    return { ok: false, out: String((error as { stderr?: string }).stderr ?? error) };
  }
}

const BOTO3 = `
import json, sys, boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
url, key_id, secret = sys.argv[1:4]
def client(service, **kw):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", config=Config(retries={"max_attempts": 1}, **kw.pop("config", {})), **kw)
def code(call):
    try:
        call()
        return "ok"
    except ClientError as e:
        return e.response["Error"]["Code"]
good = client("lambda", aws_access_key_id=key_id, aws_secret_access_key=secret)
out = good.invoke(FunctionName="hello", Payload=json.dumps({"who": "boto3"}).encode())
queue = client("sqs", aws_access_key_id=key_id, aws_secret_access_key=secret).create_queue(QueueName="from-boto3")["QueueUrl"]
print(json.dumps({
    "invoked": json.loads(out["Payload"].read()),
    "listed": [f["FunctionName"] for f in good.list_functions()["Functions"]],
    "queue": queue,
    "wrongSecret": code(lambda: client("lambda", aws_access_key_id=key_id, aws_secret_access_key="wrong").list_functions()),
    "unknownKey": code(lambda: client("sqs", aws_access_key_id="AKIANOBODYKNOWSTHIS0", aws_secret_access_key="x").list_queues()),
    "unsigned": code(lambda: client("lambda", config={"signature_version": UNSIGNED}).list_functions()),
}))
`;

/**
 * The AWS CLI and boto3 are Python programs, not npm packages: the project cannot install them, and a
 * machine without them skips these two tests.
 */
const hasClients = spawnSync("aws", ["--version"]).status === 0 && spawnSync("python3", ["-c", "import boto3"]).status === 0;

describe.skipIf(!hasClients)("the AWS CLI and boto3 against --auth sigv4", () => {
  it("the AWS CLI: signed calls work, a wrong secret and an unsigned call are refused", async () => {
    await api.create("hello", `exports.handler = async (e) => ({ hello: e.who });`);
    const listed = await aws(["lambda", "list-functions"], KEY);
    expect(listed.ok).toBe(true);
    expect((JSON.parse(listed.out) as { Functions: Array<{ FunctionName: string }> }).Functions.map((f) => f.FunctionName)).toContain(
      "hello",
    );
    const outFile = path.join(scratch, "out.json");
    const invoked = await aws(["lambda", "invoke", "--function-name", "hello", "--payload", '{"who":"cli"}', outFile], KEY);
    expect(invoked.ok).toBe(true);
    expect(JSON.parse(readFileSync(outFile, "utf8"))).toEqual({ hello: "cli" });
    const wrong = await aws(["lambda", "list-functions"], { accessKeyId: KEY.accessKeyId, secretAccessKey: "wrong" });
    expect(wrong).toMatchObject({ ok: false, out: expect.stringContaining("(InvalidSignatureException)") });
    const unsigned = await aws(["lambda", "list-functions"]);
    expect(unsigned).toMatchObject({ ok: false, out: expect.stringContaining("(MissingAuthenticationTokenException)") });
  });

  it("boto3: signed calls work on Lambda and SQS, others get AWS's error codes", async () => {
    const { stdout } = await run("python3", ["-c", BOTO3, api.url, KEY.accessKeyId, KEY.secretAccessKey], {
      env: clientEnv(undefined),
      timeout: 60_000,
    });
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(result).toMatchObject({
      invoked: { hello: "boto3" },
      queue: expect.stringMatching(/\/from-boto3$/),
      wrongSecret: "InvalidSignatureException",
      unknownKey: "InvalidClientTokenId",
      unsigned: "MissingAuthenticationTokenException",
    });
    expect(result.listed).toContain("hello");
  });
});
