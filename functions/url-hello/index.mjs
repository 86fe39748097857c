// A function URL handler (API Gateway payload format 2.0): greets by ?name=, counts visits in a cookie.
export const handler = async (event) => {
  const name = event.queryStringParameters?.name ?? "world";
  const visits = Number((event.cookies ?? []).find((c) => c.startsWith("visits="))?.slice(7) ?? 0) + 1;
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    cookies: [`visits=${visits}; Path=/; HttpOnly`],
    body: JSON.stringify({ message: `hello ${name}`, visits, method: event.requestContext.http.method, path: event.rawPath }),
  };
};
