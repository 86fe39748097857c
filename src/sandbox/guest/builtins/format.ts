export { createFormatter } from "../format.js";
