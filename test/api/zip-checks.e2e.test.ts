import { readdirSync } from "node:fs";
import path from "node:path";
import { GetFunctionCommand, InvalidParameterValueException, InvokeCommand, UpdateFunctionCodeCommand } from "@aws-sdk/client-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { type Deflated, deflatedText, deflatedZeros, zipDeclaring } from "../registry/hostile-zips.js";
import { waitFor } from "../wait.js";
import { useServer, zipOf } from "./server.js";

const api = useServer();
const MiB = 1024 * 1024;
const HANDLER = "exports.handler = async () => 'unzipped';";

const create = (name: string, zip: Uint8Array) => api.create(name, zip);

/** The code directory's entries: packages and temporary unpackings. */
const codeEntries = () => readdirSync(path.join(api.dataDir, "code")).sort();

describe("uploaded zips are checked entry by entry", () => {
  let zeros300: Deflated;
  let zeros200: Deflated;
  let packagesBefore: string[];

  beforeAll(async () => {
    zeros300 = await deflatedZeros(300 * MiB);
    zeros200 = await deflatedZeros(200 * MiB);
    await create("good", zipOf({ "index.js": HANDLER }));
    packagesBefore = codeEntries();
  }, 60_000);

  it("refuses an entry that holds 300 MiB while declaring 1,000 bytes, keeping nothing of it", async () => {
    const liar = zipDeclaring([
      { name: "index.js", content: deflatedText(HANDLER) },
      { name: "zeros.bin", content: zeros300, size: 1000 },
    ]);
    expect(liar.length).toBeLessThan(MiB);
    const refused = create("liar", liar);
    await expect(refused).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(refused).rejects.toMatchObject({
      message: 'Could not unzip uploaded file: the entry "zeros.bin" holds more than the 1000 bytes its header declares.',
    });
    expect(codeEntries()).toEqual(packagesBefore);
  });

  it("refuses an entry whose CRC-32 is not its content's, at CreateFunction and UpdateFunctionCode", async () => {
    const text = deflatedText(HANDLER);
    const badCrc = zipDeclaring([{ name: "index.js", content: text, crc: (text.crc ^ 1) >>> 0 }]);
    const message = 'Could not unzip uploaded file: the entry "index.js" fails its CRC-32 check.';
    await expect(create("bad-crc", badCrc)).rejects.toMatchObject({ name: "InvalidParameterValueException", message });
    await expect(api.client.send(new UpdateFunctionCodeCommand({ FunctionName: "good", ZipFile: badCrc }))).rejects.toMatchObject({
      name: "InvalidParameterValueException",
      message,
    });
    expect(codeEntries()).toEqual(packagesBefore);
  });

  it("refuses a package whose real unzipped size passes 250 MB", async () => {
    const big = zipDeclaring([
      { name: "index.js", content: deflatedText(HANDLER) },
      { name: "zeros.bin", content: zeros300 },
    ]);
    await expect(create("too-big", big)).rejects.toMatchObject({
      name: "InvalidParameterValueException",
      message: "Unzipped size must be smaller than 262144000 bytes",
    });
    expect(codeEntries()).toEqual(packagesBefore);
  });

  it("still takes an honest zip, and the function it makes runs", async () => {
    const honest = zipDeclaring([{ name: "index.js", content: deflatedText(HANDLER) }]);
    await create("honest", honest);
    const out = await api.client.send(new InvokeCommand({ FunctionName: "honest" }));
    expect(out.FunctionError).toBeUndefined();
    expect(JSON.parse(new TextDecoder().decode(out.Payload))).toBe("unzipped");
  });

  it("keeps answering other requests while a 200 MiB package is unpacked", async () => {
    const large = zipDeclaring([
      { name: "index.js", content: deflatedText(HANDLER) },
      { name: "zeros.bin", content: zeros200 },
    ]);
    let created = false;
    const creating = create("large", large).then(() => {
      created = true;
    });
    // Unpacking has begun once its temporary directory is there.
    await waitFor(() => codeEntries().some((name) => name.startsWith(".tmp-")), "an unpacking under way");
    const other = await api.client.send(new GetFunctionCommand({ FunctionName: "good" }));
    expect(other.Configuration?.FunctionName).toBe("good");
    expect(created).toBe(false);
    await creating;
    const out = await api.client.send(new InvokeCommand({ FunctionName: "large" }));
    expect(JSON.parse(new TextDecoder().decode(out.Payload))).toBe("unzipped");
  });
});
