/** Deploying a WebAssembly component function: validated and transpiled once, before it is stored. */

import { LambdaError } from "../lambda/errors.js";
import { COMPONENT_RUNTIME, type ComponentCache, componentFile, InvalidComponentError } from "../sandbox/index.js";

/** Throws InvalidParameterValueException with jco's message when a component function's package cannot run. */
export async function checkComponent(components: ComponentCache, runtime: string, handler: string, codeDir: string): Promise<void> {
  if (runtime !== COMPONENT_RUNTIME) return;
  try {
    await components.prepare(componentFile(codeDir, handler));
  } catch (error) {
    if (error instanceof InvalidComponentError)
      throw new LambdaError("InvalidParameterValueException", `Invalid WebAssembly component: ${error.message}`);
    throw error;
  }
}
