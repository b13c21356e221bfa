/**
 * A Dockerfile parser for the image check (scripts/check-image.sh): parser directives, comments,
 * line continuations, exec (JSON) and shell forms, flags, ARG/ENV variable expansion, and stages.
 * It follows BuildKit's parser for the syntax it accepts and rejects what it cannot reproduce
 * faithfully (heredocs, ONBUILD, SHELL, ...) with the line number, instead of guessing.
 */

export interface Instruction {
  /** 1-based line of the instruction's first line. */
  line: number;
  keyword: string;
  /** `--name=value` flags before the arguments. */
  flags: Record<string, string>;
  /** The arguments after the flags, as written (continuations joined, comments removed). */
  text: string;
  /** Set for the exec form: the JSON array of strings. */
  json?: string[];
}

export interface Stage {
  name: string;
  index: number;
  /** The base image reference with the global ARGs expanded. */
  image: string;
  fromLine: number;
  instructions: Instruction[];
}

export interface ParsedDockerfile {
  globalArgs: Record<string, string>;
  stages: Stage[];
}

export class DockerfileError extends Error {
  constructor(line: number, message: string) {
    super(`Dockerfile line ${line}: ${message}`);
    this.name = "DockerfileError";
  }
}

const flagged = new Set(["FROM", "COPY", "ADD", "RUN", "HEALTHCHECK"]);

export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let escape = "\\";
  let first = 0;
  // Parser directives: `# name=value` lines before anything else.
  for (; first < lines.length; first++) {
    const m = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(lines[first]!);
    if (!m) break;
    if (m[1]!.toLowerCase() === "escape") {
      if (m[2] !== "\\" && m[2] !== "`")
        throw new DockerfileError(first + 1, `invalid escape directive ${m[2]}`);
      escape = m[2];
    }
  }

  const instructions: Instruction[] = [];
  let pending: { line: number; text: string } | undefined;
  for (let i = first; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    // Comment lines and empty lines are dropped, also inside a continuation (as BuildKit does).
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const continues = raw.trimEnd().endsWith(escape);
    const body = continues ? raw.trimEnd().slice(0, -1) : raw;
    if (pending) pending.text += body;
    else pending = { line: i + 1, text: body.trimStart() };
    if (!continues) {
      instructions.push(instruction(pending.line, pending.text));
      pending = undefined;
    }
  }
  if (pending) instructions.push(instruction(pending.line, pending.text));

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === "FROM") {
      const words = ins.text.trim().split(/\s+/);
      if (words.length !== 1 && !(words.length === 3 && words[1]!.toLowerCase() === "as"))
        throw new DockerfileError(ins.line, `FROM expects "image [AS name]", got "${ins.text}"`);
      const index = stages.length;
      stages.push({
        name: words[2] ?? String(index),
        index,
        image: expand(words[0]!, globalArgs, ins.line),
        fromLine: ins.line,
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (ins.keyword !== "ARG")
        throw new DockerfileError(ins.line, `${ins.keyword} before the first FROM`);
      for (const [name, value] of argDeclarations(ins, globalArgs)) globalArgs[name] = value ?? "";
    } else {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  if (stages.length === 0) throw new DockerfileError(1, "no FROM instruction");
  return { globalArgs, stages };

  function instruction(line: number, source: string): Instruction {
    const m = /^(\S+)\s*([\s\S]*)$/.exec(source.trim())!;
    const keyword = m[1]!.toUpperCase();
    let rest = m[2]!;
    const flags: Record<string, string> = {};
    if (flagged.has(keyword)) {
      for (;;) {
        const f = /^--([a-zA-Z-]+)(?:=(\S*))?\s*/.exec(rest);
        if (!f) break;
        flags[f[1]!] = f[2] ?? "true";
        rest = rest.slice(f[0].length);
      }
    }
    if (/<<-?["']?[A-Za-z_]/.test(rest) && (keyword === "RUN" || keyword === "COPY"))
      throw new DockerfileError(line, `heredocs (${keyword} <<...) are not emulated`);
    const result: Instruction = { line, keyword, flags, text: rest.trim() };
    if (rest.trimStart().startsWith("[")) {
      try {
        const parsed: unknown = JSON.parse(rest);
        if (Array.isArray(parsed) && parsed.every((s) => typeof s === "string"))
          result.json = parsed as string[];
      } catch {
        // Not JSON: Docker falls back to the shell form too.
      }
    }
    return result;
  }
}

/** `ARG name[=default] ...` */
export function argDeclarations(
  ins: Instruction,
  vars: Record<string, string>,
): Array<[string, string | undefined]> {
  return shellWords(ins.text, ins.line).map((word) => {
    const eq = word.indexOf("=");
    if (eq < 0) return [word, undefined];
    return [word.slice(0, eq), expand(word.slice(eq + 1), vars, ins.line)];
  });
}

/** `ENV a=b c="d e"` or the legacy `ENV name value with spaces`. */
export function envDeclarations(
  ins: Instruction,
  vars: Record<string, string>,
): Array<[string, string]> {
  const words = shellWords(ins.text, ins.line);
  if (words.length > 0 && !words[0]!.includes("=")) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(ins.text);
    if (!m) throw new DockerfileError(ins.line, `ENV ${ins.text}: expected a value`);
    return [[m[1]!, expand(unquote(m[2]!.trim()), vars, ins.line)]];
  }
  return words.map((word) => {
    const eq = word.indexOf("=");
    if (eq <= 0) throw new DockerfileError(ins.line, `ENV ${word}: expected name=value`);
    return [word.slice(0, eq), expand(word.slice(eq + 1), vars, ins.line)];
  });
}

/** Whitespace-separated words; quotes group (and are kept, for `expand` to remove). */
export function shellWords(text: string, line: number): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      word += c;
      if (c === "\\" && quote === '"' && i + 1 < text.length) word += text[++i];
      else if (c === quote) quote = undefined;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      inWord = true;
      word += c;
      if (c === '"' || c === "'") quote = c;
      else if (c === "\\" && i + 1 < text.length) word += text[++i];
    }
  }
  if (quote) throw new DockerfileError(line, `unterminated quote in "${text}"`);
  if (inWord) words.push(word);
  return words;
}

function unquote(value: string): string {
  return expandWord(value, {}, 0, false);
}

/**
 * Docker's word processing for instruction arguments: `$VAR`, `${VAR}`, `${VAR:-default}`,
 * `${VAR:+alternative}`, quotes removed, backslash escapes. Unset variables expand to "".
 */
export function expand(word: string, vars: Record<string, string>, line: number): string {
  return expandWord(word, vars, line, true);
}

function expandWord(
  word: string,
  vars: Record<string, string>,
  line: number,
  substitute: boolean,
): string {
  let out = "";
  let quote: string | undefined;
  for (let i = 0; i < word.length; i++) {
    const c = word[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else out += c;
    } else if (c === "'" && !quote) {
      quote = "'";
    } else if (c === '"') {
      quote = quote ? undefined : '"';
    } else if (c === "\\" && i + 1 < word.length) {
      out += word[++i];
    } else if (c === "$" && substitute) {
      const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:[-+])([^}]*))?\}/.exec(word.slice(i));
      const bare = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(word.slice(i));
      if (braced) {
        const value = vars[braced[1]!];
        const set = value !== undefined && value !== "";
        if (braced[2] === ":-") out += set ? value : expandWord(braced[3]!, vars, line, true);
        else if (braced[2] === ":+") out += set ? expandWord(braced[3]!, vars, line, true) : "";
        else out += value ?? "";
        i += braced[0].length - 1;
      } else if (bare) {
        out += vars[bare[1]!] ?? "";
        i += bare[0].length - 1;
      } else if (word[i + 1] === "{") {
        throw new DockerfileError(line, `unsupported substitution in "${word}"`);
      } else {
        out += c;
      }
    } else {
      out += c;
    }
  }
  return out;
}
