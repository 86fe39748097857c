// node:string_decoder, as the `string_decoder` package ships Node's code.
export { StringDecoder } from "string_decoder";
