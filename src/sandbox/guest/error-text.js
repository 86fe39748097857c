/** Node prints an error as its stack, whose first line is `Name: message`; QuickJS's stack holds only frames. */
export function errorText(error) {
  const head = `${error.name}: ${error.message}`;
  return error.stack ? `${head}\n${String(error.stack).trimEnd()}` : head;
}
