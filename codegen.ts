/**
 * graphql-codegen: typed operations of the generated clients, from schema/schema.graphql (emitted by
 * scripts/emit-schema.ts) and the operation documents under clients/operations.
 *
 *   npm run codegen      regenerates clients/typescript/src/generated (committed; CI checks it for drift)
 *
 * Output (client preset, string documents so the runtime needs no GraphQL parser):
 *   graphql.ts                  schema and operation types, and a typed document per operation
 *   persisted-documents.json    the trusted-documents manifest: sha256 hash → document text; the
 *                               server's RTTM_TRUSTED_DOCUMENTS points at it
 */
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "schema/schema.graphql",
  documents: ["clients/operations/**/*.graphql"],
  ignoreNoDocuments: false,
  emitLegacyCommonJSImports: false,
  generates: {
    "clients/typescript/src/generated/": {
      preset: "client",
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: {
          mode: "embedHashInDocument",
          hashPropertyName: "hash",
          hashAlgorithm: "sha256",
        },
      },
      config: {
        documentMode: "string",
        useTypeImports: true,
        strictScalars: true,
        scalars: {
          DateTime: { input: "string", output: "string" },
          Long: { input: "number", output: "number" },
        },
        enumType: "string-literal",
        immutableTypes: false,
        skipTypename: true,
      },
    },
  },
};

export default config;
