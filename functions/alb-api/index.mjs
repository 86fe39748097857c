// An ALB target: a small JSON API. The load balancer sends httpMethod, path, headers and the body
// (base64 for non-text content types) and expects statusCode, statusDescription, headers and body.
const items = new Map([
  ["1", { id: "1", name: "kettle" }],
  ["2", { id: "2", name: "teapot" }],
]);

const json = (statusCode, reason, value) => ({
  statusCode,
  statusDescription: `${statusCode} ${reason}`,
  isBase64Encoded: false,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(value),
});

export const handler = async (event) => {
  const path = event.path.replace(/\/+$/, "");
  if (event.httpMethod === "GET" && path === "/api/items") return json(200, "OK", [...items.values()]);
  const match = /^\/api\/items\/([^/]+)$/.exec(path);
  if (event.httpMethod === "GET" && match) {
    const item = items.get(match[1]);
    return item ? json(200, "OK", item) : json(404, "Not Found", { message: `no item ${match[1]}` });
  }
  if (event.httpMethod === "POST" && path === "/api/items") {
    const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
    let item;
    try {
      item = JSON.parse(text || "{}");
    } catch {
      return json(400, "Bad Request", { message: "the body is not JSON" });
    }
    const id = String(items.size + 1);
    items.set(id, { ...item, id });
    return json(201, "Created", items.get(id));
  }
  return json(404, "Not Found", { message: `no route for ${event.httpMethod} ${path}` });
};
