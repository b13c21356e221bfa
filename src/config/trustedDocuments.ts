import { readFileSync } from "node:fs";

/** RTTM_TRUSTED_DOCUMENTS: off, or an allow-list of operations (hash → document text) from a manifest file. */
export type TrustedDocumentsConfig =
  | { mode: "off" }
  | { mode: "allow-list"; manifestPath: string; documents: ReadonlyMap<string, string> };

/**
 * The documents of a trusted-documents manifest (a JSON object: hash → document text), keyed by
 * the bare sha256 hex clients send. Throws when the file cannot be read or is not such an object.
 */
export function readTrustedDocuments(manifestPath: string): ReadonlyMap<string, string> {
  const manifest: unknown = JSON.parse(readFileSync(manifestPath, "utf8"));
  const entries =
    manifest && typeof manifest === "object" && !Array.isArray(manifest)
      ? Object.entries(manifest)
      : [];
  if (entries.length === 0 || !entries.every(([, document]) => typeof document === "string"))
    throw new Error("not a JSON object of hash → document text");
  // Codegen writes "sha256:<hex>"; clients send the bare hex (persistedQuery.sha256Hash).
  return new Map(
    entries.map(([hash, document]) => [hash.replace(/^sha256:/, ""), document as string]),
  );
}
