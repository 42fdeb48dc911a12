/** Runs a CLI that writes the embedded lakehouse: exit code from `main`, clear messages for expected failures. */

import { isCodedError } from "../../lakehouse/errors.js";
import { ConfigError } from "../config.js";

export function runWriterCli(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error) => {
      if (error instanceof ConfigError) console.error(error.message);
      else if (isCodedError(error)) {
        console.error(`${name} failed: ${error.message} (${error.code})`);
        if (error.code === "LAKEHOUSE_UNAVAILABLE") {
          console.error(
            "(another process holds this file and left no run file beside it — DuckDB allows one writing process: stop it first)",
          );
        }
      } else console.error(`${name} failed:`, error);
      process.exit(1);
    },
  );
}
