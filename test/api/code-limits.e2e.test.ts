import { randomBytes } from "node:crypto";
import { CodeStorageExceededException, CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { useServer, zipOf } from "./server.js";

/** Room for one small package: the second one exceeds the account's code storage. */
const api = useServer({ codeStorageLimitBytes: 1024 });
const ROLE = "arn:aws:iam::000000000000:role/r";

describe("code size limits (account-wide storage, 50 MB zips, 250 MB unzipped)", () => {
  // The SDK models no class for this error: its name and status are what a client sees.
  it("refuses a zip upload over 50 MB with RequestEntityTooLargeException", async () => {
    // Random bytes do not compress: the zip stays just over the 50 MB upload limit.
    const zip = zipSync({ "blob.bin": randomBytes(50 * 1024 * 1024 + 1024) }, { level: 0 });
    await expect(
      api.client.send(
        new CreateFunctionCommand({
          FunctionName: "huge",
          Runtime: "nodejs20.x",
          Handler: "index.handler",
          Role: ROLE,
          Code: { ZipFile: zip },
        }),
      ),
    ).rejects.toMatchObject({ name: "RequestEntityTooLargeException", $metadata: { httpStatusCode: 413 } });
  });

  it("refuses code beyond the account's code storage with CodeStorageExceededException", async () => {
    const small = zipOf({ "index.js": "exports.handler = async () => 1;" });
    await api.client.send(
      new CreateFunctionCommand({
        FunctionName: "first",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: ROLE,
        Code: { ZipFile: small },
      }),
    );
    const other = zipSync({ "index.js": strToU8(`exports.handler = async () => 2; // ${"x".repeat(2000)}`) }, { level: 0 });
    await expect(
      api.client.send(
        new CreateFunctionCommand({
          FunctionName: "second",
          Runtime: "nodejs20.x",
          Handler: "index.handler",
          Role: ROLE,
          Code: { ZipFile: other },
        }),
      ),
    ).rejects.toBeInstanceOf(CodeStorageExceededException);
  });
});
