// node:path: Lambda runs on Linux, so path is path.posix (`path-browserify` is Node's posix code).
import path from "path-browserify";

path.posix = path;
export default path;
