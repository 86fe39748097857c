/** The one hello handler every scenario serves, and what it answers, so upper bounds return the same bytes. */
export const HELLO_SOURCE =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the handler's own template literal, as source text
  'export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ message: `hello ${event?.name ?? "world"}` }) });';
export const EVENT = JSON.stringify({ name: "bench" });
export const ANSWER = JSON.stringify({ statusCode: 200, body: JSON.stringify({ message: "hello bench" }) });
