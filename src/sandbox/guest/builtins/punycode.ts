// node:punycode (deprecated in Node, still required by older packages such as tr46): the package
// Node's own copy comes from.
export { default } from "punycode/";
