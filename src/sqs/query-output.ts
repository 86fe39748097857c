/**
 * The SQS query protocol's responses: `<{Action}Response><{Action}Result>...</{Action}Result>
 * <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata></{Action}Response>`, with
 * lists flattened into repeated elements and maps into Name/Value (or Key/Value) entries, and
 * errors as `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
 */
import { SqsError } from "./errors.js";

const XMLNS = "http://queue.amazonaws.com/doc/2012-11-05/";

/** Output members that are lists, and the element each item becomes. */
const LIST_ITEMS: Record<string, (action: string) => string> = {
  QueueUrls: () => "QueueUrl",
  queueUrls: () => "QueueUrl",
  Messages: () => "Message",
  Successful: (action) => `${action}ResultEntry`,
  Failed: () => "BatchResultErrorEntry",
};

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function element(name: string, content: string): string {
  return `<${name}>${content}</${name}>`;
}

function serialize(value: unknown, action: string): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "object") return escapeXml(String(value));
  let xml = "";
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    const item = LIST_ITEMS[key];
    if (item && Array.isArray(member)) {
      for (const entry of member) xml += element(item(action), serialize(entry, action));
    } else if (key === "Attributes" || key === "Tags") {
      const [entry, k] = key === "Tags" ? ["Tag", "Key"] : ["Attribute", "Name"];
      for (const [name, v] of Object.entries(member as Record<string, string>)) {
        xml += element(entry, element(k, escapeXml(name)) + element("Value", escapeXml(v)));
      }
    } else if (key === "MessageAttributes") {
      for (const [name, v] of Object.entries(member as Record<string, unknown>)) {
        xml += element("MessageAttribute", element("Name", escapeXml(name)) + element("Value", serialize(v, action)));
      }
    } else {
      xml += element(key, serialize(member, action));
    }
  }
  return xml;
}

export function queryResponse(action: string, output: unknown, requestId: string): Response {
  const body =
    `<?xml version="1.0"?><${action}Response xmlns="${XMLNS}">` +
    element(`${action}Result`, serialize(output, action)) +
    element("ResponseMetadata", element("RequestId", requestId)) +
    `</${action}Response>`;
  return new Response(body, { status: 200, headers: { "content-type": "text/xml", "x-amzn-RequestId": requestId } });
}

export function queryErrorResponse(error: unknown, requestId: string): Response {
  const sqs = error instanceof SqsError ? error : new SqsError("InternalFailure", "We encountered an internal error. Please try again.");
  const body =
    `<?xml version="1.0"?><ErrorResponse xmlns="${XMLNS}">` +
    element(
      "Error",
      `${element("Type", sqs.fault)}${element("Code", sqs.queryCode)}${element("Message", escapeXml(sqs.message))}<Detail/>`,
    ) +
    element("RequestId", requestId) +
    "</ErrorResponse>";
  return new Response(body, { status: sqs.status, headers: { "content-type": "text/xml", "x-amzn-RequestId": requestId } });
}
