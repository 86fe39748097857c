export { default } from "@ungap/structured-clone";
