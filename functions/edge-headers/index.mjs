// A Lambda@Edge origin-response hook: adds security headers to whatever the origin answered.
const SECURITY_HEADERS = {
  "strict-transport-security": "max-age=63072000; includeSubDomains; preload",
  "content-security-policy": "default-src 'self'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
};

export const handler = async (event) => {
  const response = event.Records[0].cf.response;
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers[name] = [{ value }];
  return response;
};
