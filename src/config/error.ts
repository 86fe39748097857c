/** A config file or a door's settings that cannot be used: the CLI prints its message alone. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}
