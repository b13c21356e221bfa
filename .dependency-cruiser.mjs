/**
 * Layer rules for src/, checked in CI by `npm run check:layers` (dependency-cruiser).
 *
 * Imports point down the flow of data: a module may import its own layer and the layers listed
 * before it, never one listed after it. The order is declared once, here; the rules below follow
 * from it. A subsystem is known by its public face: from outside a folder, only its index.ts or a
 * named public file may be imported (`publicFiles`). `npm run graph:folders` prints the folder
 * import graph the rules act on.
 */

/** Bottom to top. */
const layers = [
  {
    name: "generated",
    path: "^src/store/generated/",
    why: "the Prisma client generated from prisma/schema.prisma: imports nothing of RTTM's",
  },
  { name: "domain", path: "^src/domain/", why: "shared vocabulary: stages, rows, codes, keys" },
  { name: "foundation", path: "^src/(config/|log\\.ts$)", why: "settings and logging" },
  {
    name: "arithmetic",
    path: "^src/arithmetic/",
    why: "pure computations: rollups per batch, latency histograms, queue snapshots, card status",
  },
  { name: "store", path: "^src/store/(?!generated/)", why: "every SQL read and write" },
  { name: "pipeline", path: "^src/pipeline/", why: "bounded queue, batching, offsets" },
  { name: "ingest", path: "^src/ingest/", why: "Kafka consumer, decoding, quarantine" },
  {
    name: "producer",
    path: "^src/producer/",
    why: "producers' HTTP ingest: checked events appended to Kafka, acknowledged (acks=all)",
  },
  { name: "live", path: "^src/live/", why: "change bus and live hub" },
  { name: "alerts", path: "^src/alerts/", why: "alert rules, evaluation, feed" },
  { name: "api", path: "^src/(graphql|http|legacy)/", why: "GraphQL schema, HTTP plugins" },
  {
    name: "composition root",
    path: "^src/((?!log\\.ts$)[^/]+\\.ts$|simulator/)",
    why: "app.ts, server.ts, main.ts and the simulator's entry: wire the layers together",
  },
];

const anyOf = (paths) => paths.map((p) => `(${p})`).join("|");

const layerRules = layers.slice(0, -1).map((layer, index) => ({
  name: `layer-${layer.name.replace(/ /g, "-")}`,
  comment: `${layer.name} (${layer.why}) may not import a layer above it: ${layers
    .slice(index + 1)
    .map((l) => l.name)
    .join(", ")}`,
  severity: "error",
  from: { path: layer.path },
  to: { path: anyOf(layers.slice(index + 1).map((l) => l.path)) },
}));

/**
 * What another subsystem may import of a folder: its public face, the folder's index.ts (a nested
 * folder's own index.ts too, e.g. src/store/read/index.ts), or one of these named public files.
 * Everything else in a folder is its internals, free to change without its users knowing.
 */
const publicFiles = [
  { path: "^src/domain/", why: "the shared vocabulary: every file is public" },
  { path: "^src/store/generated/", why: "the Prisma client generated from prisma/schema.prisma" },
  {
    path: "^src/ingest/proto/",
    why: "the protobuf messages generated from the platform's .proto files",
  },
  { path: "^src/http/use-[^/]+\\.ts$", why: "Yoga plugins, one public use<Concern>() per file" },
  { path: "/index\\.ts$", why: "a folder's public face" },
];

const nonCodeDependencies = ["core", "npm", "npm-dev", "npm-optional", "npm-peer", "npm-no-pkg"];

/** @type {import("dependency-cruiser").IConfiguration} */
export default {
  forbidden: [
    ...layerRules,
    {
      name: "no-unlayered-module",
      comment: "every module under src/ belongs to a layer: add a new folder to `layers` above",
      severity: "error",
      from: { path: "^src/", pathNot: anyOf(layers.map((l) => l.path)) },
      to: {},
    },
    {
      name: "no-circular",
      comment: "no import cycle between modules",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "no-circular-folders",
      comment: "no import cycle between folders",
      severity: "error",
      scope: "folder",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "public-faces-only",
      comment: `a module outside a folder imports only that folder's public face (its index.ts) or a named public file: ${publicFiles.map((f) => `${f.path} (${f.why})`).join("; ")}`,
      severity: "error",
      from: { path: "^src/([^/]+)/" },
      to: { path: "^src/[^/]+/", pathNot: ["^src/$1/", ...publicFiles.map((f) => f.path)] },
    },
    {
      name: "public-faces-only-from-the-root",
      comment: "the composition root (src/*.ts) imports a folder only through its public face too",
      severity: "error",
      from: { path: "^src/[^/]+\\.ts$" },
      to: { path: "^src/[^/]+/", pathNot: publicFiles.map((f) => f.path) },
    },
    {
      name: "src-not-scripts-or-tests",
      comment: "the image carries src/ only: src never imports scripts/ or test/",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(scripts|test)/" },
    },
    {
      name: "pure-domain-and-arithmetic",
      comment: "domain and arithmetic do no I/O: no Node built-ins, no packages",
      severity: "error",
      from: { path: "^src/(domain|arithmetic)/" },
      to: { dependencyTypes: nonCodeDependencies },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^src/store/generated/(?!client\\.ts$)" },
  },
};
