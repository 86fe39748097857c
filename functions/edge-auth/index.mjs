// A Lambda@Edge viewer-request hook: without a session cookie the viewer is redirected to /login
// (a response generated at the edge, the origin never sees the request); with one, the request
// continues with the user in a header.
export const handler = async (event) => {
  const request = event.Records[0].cf.request;
  if (request.uri.startsWith("/login")) return request;
  const cookies = (request.headers.cookie ?? []).flatMap((h) => h.value.split(";")).map((c) => c.trim());
  const session = cookies.find((c) => c.startsWith("session="));
  if (session === undefined) {
    return {
      status: "302",
      statusDescription: "Found",
      headers: {
        location: [{ key: "Location", value: `/login.html?next=${encodeURIComponent(request.uri)}` }],
        "cache-control": [{ key: "Cache-Control", value: "no-store" }],
      },
    };
  }
  request.headers["x-session-user"] = [{ key: "X-Session-User", value: session.slice("session=".length) }];
  if (request.uri.endsWith("/")) request.uri += "index.html";
  return request;
};
