export { createFs } from "../fs.js";
