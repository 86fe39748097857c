export { utf8Decoder, utf8Encoder } from "../encoding.js";
