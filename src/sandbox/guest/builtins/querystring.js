// node:querystring over `querystring-es3` (Node's querystring for other engines), with the escape
// functions Node exposes and its null-prototype result.
import qs from "querystring-es3";

const unescapeText = (text) => {
  try {
    return decodeURIComponent(text);
  } catch {
    return String(text);
  }
};

const parse = (text, sep, eq, options) => Object.assign(Object.create(null), qs.parse(text, sep, eq, options));

export default {
  parse,
  decode: parse,
  stringify: qs.stringify,
  encode: qs.stringify,
  escape: (text) => encodeURIComponent(text),
  unescape: unescapeText,
};
