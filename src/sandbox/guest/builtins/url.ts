export { URL, URLSearchParams } from "whatwg-url-without-unicode";
