export { default } from "object-inspect";
