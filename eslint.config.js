/**
 * Type-aware lint, run by `npm run lint` and CI. Only the promise rules: a promise nobody awaits or
 * handles (its rejection crashes the process or vanishes), a promise passed where a callback's
 * result is ignored, and `await` on something that is not a promise. Formatting is Prettier's.
 */
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "src/store/generated/**",
      "src/ingest/proto/**",
      "clients/**",
      "node_modules/**",
      "dist/**",
    ],
  },
  {
    files: ["src/**/*.ts", "scripts/**/*.ts", "test/**/*.ts"],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@typescript-eslint": tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          // node:test's test() and describe() return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: "package", package: "node:test", name: ["test", "it", "describe", "suite"] },
          ],
        },
      ],
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
    },
  },
);
