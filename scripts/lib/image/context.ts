/**
 * The build context as Docker sends it (every file under the context directory that .dockerignore
 * does not exclude), and COPY's rules for putting sources into a stage's file system.
 */
import { copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import { readFileSync, readlinkSync, statSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, posix } from "node:path";

interface Matcher {
  add(patterns: string[]): Matcher;
  ignores(path: string): boolean;
}
// Docker's .dockerignore matching, ported from moby. A CommonJS module (`module.exports =
// factory`) whose typings declare a default export, which NodeNext resolution cannot call.
const ignore = createRequire(import.meta.url)("@balena/dockerignore") as (options: {
  ignorecase: boolean;
}) => Matcher;

export class CopyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CopyError";
  }
}

/** The .dockerignore patterns (comments and blank lines dropped), in file order. */
export function readDockerignore(contextDir: string): string[] {
  const file = join(contextDir, ".dockerignore");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split(/\r?\n/)
    .filter((line) => !line.startsWith("#"))
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/**
 * Relative paths (with "/") of the files and symlinks Docker would send. Like Docker's walk, a
 * directory that a pattern excludes is skipped unless an exception (`!pattern`) starts inside it;
 * a file is sent when the last pattern that matches it or one of its parent directories is an
 * exception (or none matches). Docker matches case-sensitively on Linux.
 */
export function contextFiles(contextDir: string, patterns: string[]): string[] {
  const matcher = ignore({ ignorecase: false }).add(patterns);
  const exceptions = patterns
    .filter((p) => p.startsWith("!"))
    .map((p) => posix.normalize(p.slice(1).trim()).replace(/^\/+/, ""));
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(contextDir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (matcher.ignores(path) && !exceptions.some((e) => `${e}/`.startsWith(`${path}/`)))
          continue;
        walk(path);
      } else if (!matcher.ignores(path)) {
        files.push(path);
      }
    }
  };
  walk("");
  return files.sort();
}

/** Copies the context's files (modes and symlinks kept) into `target`, which becomes its root. */
export function materializeContext(contextDir: string, files: string[], target: string): void {
  mkdirSync(target, { recursive: true });
  for (const file of files) {
    const to = join(target, file);
    mkdirSync(dirname(to), { recursive: true });
    const from = join(contextDir, file);
    if (lstatSync(from).isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else copyFileSync(from, to);
  }
}

/**
 * COPY's source and destination rules. `sourceRoot` is the build context (or, for `--from`,
 * the other stage's root); `stageRoot` stands for "/" of the stage being built, and `workdir` is
 * its WORKDIR (absolute, in the image). Returns what was copied, as image paths.
 *
 * - sources are relative to the source root (a leading "/" too); ".." stops at the root;
 * - sources may hold wildcards (`*`, `?`, `[...]`, per path segment, as Go's filepath.Match);
 *   a source that matches nothing fails, as in `docker build`;
 * - a directory source copies its contents, not the directory itself;
 * - with several sources (or a wildcard), the destination must end with "/";
 * - a destination ending with "/" (or an existing directory) receives the files by name;
 * - a relative destination is taken from WORKDIR.
 */
export function copyInto(
  sourceRoot: string,
  sources: string[],
  dest: string,
  stageRoot: string,
  workdir: string,
): string[] {
  const resolved = sources.flatMap((source) => resolveSource(sourceRoot, source));
  const imageDest = posix.isAbsolute(dest) ? dest : posix.join(workdir, dest);
  const destIsDir = dest.endsWith("/") || dest === "." || dest.endsWith("/.");
  if (resolved.length > 1 && !destIsDir)
    throw new CopyError(
      `COPY ${sources.join(" ")} ${dest}: with several sources the destination must be a directory ending with "/"`,
    );
  const hostDest = join(stageRoot, imageDest);
  const copied: string[] = [];
  for (const source of resolved) {
    const from = join(sourceRoot, source);
    if (lstatSync(from).isDirectory()) {
      mkdirSync(hostDest, { recursive: true });
      cpSync(from, hostDest, { recursive: true, verbatimSymlinks: true, force: true });
      copied.push(imageDest);
    } else {
      const intoDir =
        destIsDir ||
        (existsSync(hostDest) && statSync(hostDest).isDirectory()) ||
        resolved.length > 1;
      const to = intoDir ? join(hostDest, basename(source)) : hostDest;
      mkdirSync(dirname(to), { recursive: true });
      cpSync(from, to, { verbatimSymlinks: true, force: true });
      copied.push(intoDir ? posix.join(imageDest, basename(source)) : imageDest);
    }
  }
  return copied;
}

function resolveSource(sourceRoot: string, source: string): string[] {
  // As in BuildKit, ".." cannot climb above the source root: it is clamped there.
  const normalized = posix.normalize(`/${source}`).replace(/^\/+/, "");
  const segments = normalized === "" || normalized === "." ? [] : normalized.split("/");
  if (!segments.some(hasWildcard)) {
    if (!existsSync(join(sourceRoot, normalized)))
      throw new CopyError(`COPY ${source}: not found (absent, or excluded by .dockerignore)`);
    return [normalized === "." ? "" : normalized];
  }
  let matches = [""];
  for (const segment of segments) {
    const next: string[] = [];
    for (const base of matches) {
      const dir = join(sourceRoot, base);
      if (!hasWildcard(segment)) {
        if (existsSync(join(dir, segment))) next.push(base ? `${base}/${segment}` : segment);
        continue;
      }
      if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
      const re = segmentPattern(segment);
      for (const name of readdirSync(dir).sort())
        if (re.test(name)) next.push(base ? `${base}/${name}` : name);
    }
    matches = next;
  }
  if (matches.length === 0) throw new CopyError(`COPY ${source}: no source files match`);
  return matches;
}

function hasWildcard(segment: string): boolean {
  return /[*?[]/.test(segment);
}

/** Go's filepath.Match for one path segment: `*`, `?`, `[...]`/`[^...]`, `\` escapes. */
export function segmentPattern(segment: string): RegExp {
  let re = "^";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "\\" && i + 1 < segment.length) re += `\\${segment[++i]}`;
    else if (c === "[") {
      const end = segment.indexOf("]", i + 1);
      if (end < 0) throw new CopyError(`bad pattern ${segment}`);
      const body = segment
        .slice(i + 1, end)
        .replace(/^\^/, "^")
        .replace(/\\/g, "\\\\");
      re += `[${body}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\]]/g, "\\$&");
  }
  return new RegExp(`${re}$`);
}
