import { describe, expect, it } from "vitest";
import { md5Hex, md5OfAttributes } from "../../src/sqs/md5.js";

// Digests published with the aws-md5-of-message-attributes package, which checks them against SQS.
describe("MD5 digests as SQS computes them", () => {
  const binary = { DataType: "Binary", BinaryValue: Buffer.from("Hello binary world!") };
  const text = { DataType: "String", StringValue: "attribValue 1" };
  const number = { DataType: "Number.float", StringValue: "4563442423554324324264524243.32543234" };

  it("digests a String attribute", () => {
    expect(md5OfAttributes({ attribName1: text })).toBe("19e27d4e946b072f3f58da80d94fd778");
  });

  it("digests a Number attribute with a custom type label", () => {
    expect(md5OfAttributes({ customNumberTypeAttrib: number })).toBe("9fe1b90bbd9965bdf77bac517c7d2495");
  });

  it("digests a Binary attribute with transport type 2", () => {
    expect(md5OfAttributes({ binaryAttribute: binary })).toBe("31a92b15d92f8db860eda32aceb656c3");
  });

  it("sorts several attributes by name whatever order they come in", () => {
    const expected = "c932db14a896c663f83c260297d594ff";
    expect(md5OfAttributes({ attribName1: text, customNumberTypeAttrib: number, binaryAttribute: binary })).toBe(expected);
    expect(md5OfAttributes({ customNumberTypeAttrib: number, binaryAttribute: binary, attribName1: text })).toBe(expected);
  });

  it("digests a body as the MD5 of its UTF-8 bytes", () => {
    expect(md5Hex("hello")).toBe("5d41402abc4b2a76b9719d911017c592");
    expect(md5Hex("\u00e9")).toBe(md5Hex(Buffer.from([0xc3, 0xa9])));
  });
});
