export { createFetch } from "../fetch.js";
