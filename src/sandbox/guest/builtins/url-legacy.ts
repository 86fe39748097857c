// node:url: the WHATWG URL of the global scope, Node's legacy parse/format/resolve as the `url`
// package ships them, and the file-URL helpers, which are Node's own rules.
import path from "path-browserify";
import punycode from "punycode/";
import legacy from "url";

const invalidArg = (message: string) => Object.assign(new TypeError(message), { code: "ERR_INVALID_ARG_TYPE" });

function fileURLToPath(input: unknown): string {
  const url = typeof input === "string" ? new URL(input) : input;
  if (!(url instanceof URL)) throw invalidArg(`The "path" argument must be of type string or an instance of URL. Received ${typeof input}`);
  if (url.protocol !== "file:") throw Object.assign(new TypeError("The URL must be of scheme file"), { code: "ERR_INVALID_URL_SCHEME" });
  if (url.hostname !== "" && url.hostname !== "localhost") {
    throw Object.assign(new TypeError('File URL host must be "localhost" or empty on linux'), { code: "ERR_INVALID_FILE_URL_HOST" });
  }
  if (/%2f/i.test(url.pathname)) {
    throw Object.assign(new TypeError("File URL path must not include encoded / characters"), { code: "ERR_INVALID_FILE_URL_PATH" });
  }
  return decodeURIComponent(url.pathname);
}

function pathToFileURL(filepath: string): URL {
  let resolved = path.resolve(filepath);
  // path.resolve drops a trailing slash that names a directory; Node keeps it in the URL.
  if (String(filepath).endsWith("/") && !resolved.endsWith("/")) resolved += "/";
  const encoded = resolved
    .replace(/%/g, "%25")
    .replace(/\\/g, "%5C")
    .replace(/\n/g, "%0A")
    .replace(/\r/g, "%0D")
    .replace(/\t/g, "%09")
    .replace(/#/g, "%23")
    .replace(/\?/g, "%3F");
  return new URL(`file://${encoded}`);
}

interface FormatOptions {
  auth?: boolean;
  fragment?: boolean;
  search?: boolean;
}

function format(urlObject: unknown, options?: FormatOptions): string {
  if (urlObject instanceof URL) {
    const { auth = true, fragment = true, search = true } = options ?? {};
    const url = new URL((urlObject as URL).href);
    if (!auth) {
      url.username = "";
      url.password = "";
    }
    if (!fragment) url.hash = "";
    if (!search) url.search = "";
    return url.href;
  }
  return legacy.format(urlObject);
}

/** The options node:http's request takes, as a URL gives them. */
interface HttpOptions {
  protocol: string;
  hostname: string;
  hash: string;
  search: string;
  pathname: string;
  path: string;
  href: string;
  port?: number;
  auth?: string;
}

function urlToHttpOptions(url: URL): HttpOptions {
  const options: HttpOptions = {
    protocol: url.protocol,
    hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
    hash: url.hash,
    search: url.search,
    pathname: url.pathname,
    path: `${url.pathname || ""}${url.search || ""}`,
    href: url.href,
  };
  if (url.port !== "") options.port = Number(url.port);
  if (url.username || url.password) options.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return options;
}

function domainToASCII(domain: unknown): string {
  try {
    return new URL(`ws://${punycode.toASCII(String(domain))}`).hostname;
  } catch {
    return "";
  }
}

function domainToUnicode(domain: unknown): string {
  const ascii = domainToASCII(domain);
  return ascii === "" ? "" : punycode.toUnicode(ascii);
}

export default {
  URL: globalThis.URL,
  URLSearchParams: globalThis.URLSearchParams,
  Url: legacy.Url,
  parse: legacy.parse,
  resolve: legacy.resolve,
  resolveObject: legacy.resolveObject,
  format,
  fileURLToPath,
  pathToFileURL,
  urlToHttpOptions,
  domainToASCII,
  domainToUnicode,
};
