/**
 * Builds a Dockerfile stage without a Docker engine: each stage gets a scratch folder that stands
 * for its "/", COPY follows Docker's rules (./context.ts), WORKDIR/ENV/ARG/USER are tracked, and
 * RUN runs with `sh -c` in the mapped WORKDIR with the stage's environment. The base image is
 * reduced to what the project relies on from `node:<major>-slim`: `node` of that major on PATH
 * (npm is the host's), /tmp, /root and /home/node (the `node` user, uid/gid 1000).
 *
 * Instructions it cannot reproduce faithfully fail with their line number (see `unsupported`).
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { chmodSync, chownSync, cpSync, existsSync, linkSync, mkdirSync } from "node:fs";
import { join, posix } from "node:path";
import { copyInto } from "./context.js";
import {
  argDeclarations,
  DockerfileError,
  envDeclarations,
  expand,
  shellWords,
  type Instruction,
  type ParsedDockerfile,
  type Stage,
} from "./dockerfile.js";

export interface BuiltStage {
  name: string;
  /** The folder standing for the stage's "/". */
  root: string;
  /** WORKDIR, as a path in the image. */
  workdir: string;
  /** ENV as the image declares it (image paths). */
  imageEnv: Record<string, string>;
  user: string | undefined;
  cmd: string[] | undefined;
  entrypoint: string[] | undefined;
  /** HEALTHCHECK CMD (exec form) or ["sh", "-c", ...] (shell form). */
  healthcheck: string[] | undefined;
  expose: string[];
  stopSignal: string;
}

export interface EmulatorOptions {
  dockerfile: ParsedDockerfile;
  /** The materialized build context. */
  contextRoot: string;
  /** Stage roots go to `<scratch>/<stage name>`. */
  scratch: string;
  /** A `node` binary whose major version matches the base image's tag. */
  nodeBinary: string;
  /** The host's npm cache: hard-linked into each stage's cache so `npm ci` needs no download. */
  npmCacheSeed: string | undefined;
  log: (line: string) => void;
}

/** Instructions that cannot be reproduced here; each fails the check where it appears. */
export const unsupported: Record<string, string> = {
  ADD: "ADD (remote URLs, archive extraction): use COPY",
  ONBUILD: "ONBUILD triggers",
  SHELL: "SHELL (RUN always runs with sh -c here)",
  VOLUME: "VOLUME",
  MAINTAINER: "MAINTAINER",
};

/** Flags of COPY/RUN that change the result and are not reproduced. */
const unsupportedFlags: Record<string, string[]> = {
  COPY: ["parents", "exclude"],
  RUN: ["mount", "network", "security"],
};

const basePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const users: Record<string, { uid: number; gid: number; home: string }> = {
  root: { uid: 0, gid: 0, home: "/root" },
  node: { uid: 1000, gid: 1000, home: "/home/node" },
};

export function createEmulator(options: EmulatorOptions) {
  const built = new Map<string, BuiltStage>();
  const { dockerfile, log } = options;

  function stageNamed(ref: string, line: number): Stage {
    const stage = dockerfile.stages.find((s) => s.name === ref || String(s.index) === ref);
    if (!stage)
      throw new DockerfileError(
        line,
        `--from=${ref}: not a stage of this Dockerfile (images are not emulated)`,
      );
    return stage;
  }

  function build(name: string): BuiltStage {
    const done = built.get(name);
    if (done) return done;
    const stage = stageNamed(name, 0);
    const result = buildStage(stage);
    built.set(name, result);
    return result;
  }

  function buildStage(stage: Stage): BuiltStage {
    checkBaseImage(stage, options.nodeBinary);
    const root = join(options.scratch, stage.name);
    createBase(root, options.nodeBinary);
    log(`stage ${stage.name} (FROM ${stage.image}, line ${stage.fromLine}): ${root}`);
    const state: BuiltStage = {
      name: stage.name,
      root,
      workdir: "/",
      imageEnv: {},
      user: undefined,
      cmd: undefined,
      entrypoint: undefined,
      healthcheck: undefined,
      expose: [],
      stopSignal: "SIGTERM",
    };
    const args: Record<string, string> = {};
    let cacheSeeded = false;
    const vars = () => ({ ...args, ...state.imageEnv });

    for (const ins of stage.instructions) {
      const reason = unsupported[ins.keyword];
      if (reason) throw new DockerfileError(ins.line, `cannot emulate ${reason}`);
      for (const flag of unsupportedFlags[ins.keyword] ?? [])
        if (flag in ins.flags)
          throw new DockerfileError(ins.line, `cannot emulate ${ins.keyword} --${flag}`);
      switch (ins.keyword) {
        case "ARG":
          for (const [name, value] of argDeclarations(ins, vars()))
            args[name] = value ?? dockerfile.globalArgs[name] ?? args[name] ?? "";
          break;
        case "ENV":
          for (const [name, value] of envDeclarations(ins, vars())) {
            if (name === "PATH")
              throw new DockerfileError(ins.line, "cannot emulate ENV PATH (paths are remapped)");
            state.imageEnv[name] = value;
          }
          break;
        case "WORKDIR": {
          const dir = expand(ins.text, vars(), ins.line);
          state.workdir = posix.resolve(state.workdir, dir);
          mkdirSync(join(root, state.workdir), { recursive: true });
          break;
        }
        case "USER":
          state.user = expand(ins.text, vars(), ins.line);
          userIds(state.user, ins.line);
          break;
        case "COPY": {
          const words = (ins.json ?? shellWords(ins.text, ins.line)).map((w) =>
            expand(w, vars(), ins.line),
          );
          if (words.length < 2)
            throw new DockerfileError(ins.line, "COPY needs a source and a destination");
          const from = ins.flags.from && expand(ins.flags.from, vars(), ins.line);
          const sourceRoot = from
            ? build(stageNamed(from, ins.line).name).root
            : options.contextRoot;
          let copied: string[];
          try {
            copied = copyInto(sourceRoot, words.slice(0, -1), words.at(-1)!, root, state.workdir);
          } catch (err) {
            throw new DockerfileError(
              ins.line,
              `${(err as Error).message}${from ? ` (stage ${from})` : " (build context)"}`,
            );
          }
          if (ins.flags.chown) {
            const { uid, gid } = userIds(expand(ins.flags.chown, vars(), ins.line), ins.line);
            for (const path of copied) chownTree(join(root, path), uid, gid);
          }
          if (ins.flags.chmod)
            for (const path of copied) chmodSync(join(root, path), parseInt(ins.flags.chmod, 8));
          log(`  line ${ins.line}: COPY ${from ? `--from=${from} ` : ""}${words.join(" ")}`);
          break;
        }
        case "RUN": {
          const processEnv = environment(root, state, args);
          if (!cacheSeeded) {
            seedNpmCache(processEnv.npm_config_cache!, options.npmCacheSeed);
            cacheSeeded = true;
          }
          const argv = ins.json ?? ["sh", "-c", ins.text];
          rejectImagePaths(ins);
          log(`  line ${ins.line}: RUN ${ins.json ? JSON.stringify(ins.json) : ins.text}`);
          const started = Date.now();
          const result = run(argv, join(root, state.workdir), processEnv, state.user, ins.line);
          if (result.status !== 0)
            throw new DockerfileError(
              ins.line,
              `RUN exited with ${result.status ?? result.signal}:\n${tail(result)}`,
            );
          log(`    done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
          break;
        }
        case "CMD":
          state.cmd = ins.json ?? ["sh", "-c", ins.text];
          break;
        case "ENTRYPOINT":
          state.entrypoint = ins.json ?? ["sh", "-c", ins.text];
          break;
        case "HEALTHCHECK": {
          if (/^NONE$/i.test(ins.text)) {
            state.healthcheck = undefined;
            break;
          }
          const m = /^CMD\s+([\s\S]*)$/i.exec(ins.text);
          if (!m) throw new DockerfileError(ins.line, "HEALTHCHECK: expected CMD or NONE");
          let exec: unknown;
          try {
            exec = JSON.parse(m[1]!);
          } catch {
            exec = undefined;
          }
          state.healthcheck = Array.isArray(exec) ? (exec as string[]) : ["sh", "-c", m[1]!];
          break;
        }
        case "EXPOSE":
          state.expose.push(
            ...shellWords(ins.text, ins.line).map((p) => expand(p, vars(), ins.line)),
          );
          break;
        case "STOPSIGNAL":
          state.stopSignal = expand(ins.text, vars(), ins.line);
          break;
        case "LABEL":
          break;
        default:
          throw new DockerfileError(ins.line, `cannot emulate ${ins.keyword}`);
      }
    }
    return state;
  }

  return { build };
}

/** The environment of a process in a built stage: ENV (image paths mapped into the stage root). */
export function environment(
  root: string,
  stage: Pick<BuiltStage, "imageEnv" | "user">,
  args: Record<string, string> = {},
): Record<string, string> {
  const home = userHome(stage.user);
  const env: Record<string, string> = {
    ...machineNetwork(),
    PATH: `${join(root, "usr/local/bin")}:${basePath}`,
    HOME: join(root, home),
    npm_config_cache: join(root, home, ".npm"),
    // Tarballs come from the (seeded) cache; the image's build fetches them from the registry.
    npm_config_prefer_offline: "true",
    npm_config_update_notifier: "false",
    ...args,
  };
  for (const [name, value] of Object.entries(stage.imageEnv))
    env[name] = value.startsWith("/") ? join(root, value) : value;
  return env;
}

/**
 * The machine's network settings (extra CA certificates, proxies, npm registry), as a builder on
 * this machine would be given them: the image's npm has no global npmrc, and the registry here is
 * reached through a TLS-inspecting proxy whose CA only NODE_EXTRA_CA_CERTS names.
 */
function machineNetwork(): Record<string, string> {
  const names = ["NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR", "npm_config_registry"];
  for (const proxy of ["http_proxy", "https_proxy", "no_proxy"])
    names.push(proxy, proxy.toUpperCase());
  return Object.fromEntries(
    names.filter((n) => process.env[n] !== undefined).map((n) => [n, process.env[n]!]),
  );
}

/** Runs argv as the stage's USER: through setpriv when this process is root, else as itself. */
export function run(
  argv: string[],
  cwd: string,
  env: Record<string, string>,
  user: string | undefined,
  line: number,
): SpawnSyncReturns<string> {
  const [command, ...rest] = [...asUser(user, line), ...argv];
  return spawnSync(command!, rest, {
    cwd,
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** The argv prefix that switches to USER (numeric uid:gid, `node` or `root`). */
export function asUser(user: string | undefined, line: number): string[] {
  if (user === undefined) return [];
  const { uid, gid } = userIds(user, line);
  if (process.getuid?.() !== 0) return [];
  if (uid === 0 && gid === 0) return [];
  return ["setpriv", `--reuid=${uid}`, `--regid=${gid}`, "--clear-groups"];
}

export function userHome(user: string | undefined): string {
  if (user === undefined) return "/root";
  const name = user.split(":")[0]!;
  return Object.values(users).find((u) => String(u.uid) === name)?.home ?? users[name]?.home ?? "/";
}

function userIds(user: string, line: number): { uid: number; gid: number } {
  const [name, group] = user.split(":");
  const known = users[name!];
  const uid = known ? known.uid : Number(name);
  const gid = group === undefined ? (known?.gid ?? uid) : (users[group]?.gid ?? Number(group));
  if (!Number.isInteger(uid) || !Number.isInteger(gid))
    throw new DockerfileError(line, `USER ${user}: only numeric ids, node and root are known here`);
  return { uid, gid };
}

function chownTree(path: string, uid: number, gid: number): void {
  spawnSync("chown", ["-R", `${uid}:${gid}`, path], { stdio: "inherit" });
}

/** The base image must be node:<major>[-variant] with the major of the node binary used here. */
function checkBaseImage(stage: Stage, nodeBinary: string): void {
  const m = /^(?:docker\.io\/(?:library\/)?)?node:(\d+)(?:[.-][\w.-]*)?$/.exec(stage.image);
  if (!m)
    throw new DockerfileError(
      stage.fromLine,
      `FROM ${stage.image}: only node:<major>[-variant] base images are emulated`,
    );
  const version = spawnSync(nodeBinary, ["--version"], { encoding: "utf8" }).stdout.trim();
  if (version.replace(/^v/, "").split(".")[0] !== m[1])
    throw new DockerfileError(
      stage.fromLine,
      `FROM ${stage.image}: the node binary here (${nodeBinary}) is ${version || "missing"}, not Node ${m[1]}`,
    );
}

/** What the check assumes of node:<major>-slim: node on PATH, /tmp, /root, /home/node. */
function createBase(root: string, nodeBinary: string): void {
  mkdirSync(join(root, "usr/local/bin"), { recursive: true });
  chmodSync(root, 0o755);
  const node = join(root, "usr/local/bin/node");
  if (!existsSync(node)) {
    // A hard link costs nothing and stays reachable for uid 1000 whatever the repo's folder
    // permissions; a copy where the scratch folder is on another file system.
    try {
      linkSync(nodeBinary, node);
    } catch {
      cpSync(nodeBinary, node);
    }
  }
  mkdirSync(join(root, "tmp"), { recursive: true });
  chmodSync(join(root, "tmp"), 0o1777);
  mkdirSync(join(root, "root"), { recursive: true, mode: 0o700 });
  mkdirSync(join(root, "home/node"), { recursive: true });
  if (process.getuid?.() === 0) chownSync(join(root, "home/node"), 1000, 1000);
}

/**
 * Hard links of the host's npm cache (content files are immutable; `npm cache clean` in a RUN
 * removes the links only), so `npm ci` installs the locked packages without the registry.
 */
function seedNpmCache(cacheDir: string, seed: string | undefined): void {
  if (!seed || !existsSync(join(seed, "_cacache")) || existsSync(join(cacheDir, "_cacache")))
    return;
  mkdirSync(cacheDir, { recursive: true });
  const linked = spawnSync("cp", ["-al", join(seed, "_cacache"), join(cacheDir, "_cacache")]);
  if (linked.status !== 0)
    spawnSync("cp", ["-a", join(seed, "_cacache"), join(cacheDir, "_cacache")], {
      stdio: "inherit",
    });
}

/** A RUN that names image paths (e.g. /app/...) would touch the host's files: not emulated. */
function rejectImagePaths(ins: Instruction): void {
  const words = ins.json ?? ins.text.split(/[\s;&|()<>=]+/);
  const absolute = words.find((w) => /^["']?\//.test(w) && !/^["']?\/dev\/null\b/.test(w));
  if (absolute)
    throw new DockerfileError(
      ins.line,
      `cannot emulate a RUN that names an absolute path (${absolute}): it would touch the host's file system`,
    );
}

function tail(result: SpawnSyncReturns<string>): string {
  return `${result.stdout ?? ""}${result.stderr ?? ""}`.split("\n").slice(-40).join("\n");
}
