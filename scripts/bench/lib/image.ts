/** What the image (Dockerfile) gives the service, read from the Dockerfile so benchmarks run it the same way. */
import { readFileSync } from "node:fs";

/** NODE_OPTIONS of the image's runtime stage (V8's heap sized for the platform's 512 MiB). */
export function imageNodeOptions(): string {
  const dockerfile = readFileSync("Dockerfile", "utf8");
  const runtime = dockerfile.slice(dockerfile.indexOf("AS runtime"));
  const m = /NODE_OPTIONS="([^"]*)"/.exec(runtime);
  if (!m) throw new Error("Dockerfile: no NODE_OPTIONS in the runtime stage");
  return m[1]!;
}
