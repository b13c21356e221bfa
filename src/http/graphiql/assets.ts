/**
 * GraphiQL's script, styles and editor workers, served by RTTM itself: Yoga's default page loads them
 * from a public CDN (unpkg), so inside a network without internet access the console never appears.
 * The files come from @graphql-yoga/render-graphiql (≈9 MB of JavaScript), loaded on the first request
 * and gzipped once; a production server (no GraphiQL) never loads them.
 */
import { gzipSync } from "node:zlib";

export interface Asset {
  contentType: string;
  body: Buffer;
  gzipped: Buffer;
}

/** Worker labels Monaco asks for (see start.js), each served as `<label>.worker.js`. */
const workerExports = {
  editorWorkerService: "editorWorkerService",
  json: "jsonWorker",
  graphql: "graphqlWorker",
} as const;

/**
 * The page's only script besides graphiql.js: where the Monaco workers are, then the editor, its
 * options read from the page's JSON block (no inline script, so a `script-src 'self'` policy holds).
 */
const startScript = `(function () {
  var options = JSON.parse(document.getElementById("graphiql-options").textContent);
  var assets = options.assetsPath;
  delete options.assetsPath;
  if (options.subscriptionsEndpoint) {
    var ws = new URL(options.subscriptionsEndpoint, location.href);
    ws.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    options.subscriptionsEndpoint = ws.toString();
  }
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (_moduleId, label) {
      return assets + "/" + label + ".worker.js";
    },
  };
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById("root"), options);
})();
`;

const javascript = "text/javascript; charset=utf-8";

function asset(contentType: string, text: string): Asset {
  const body = Buffer.from(text);
  return { contentType, body, gzipped: gzipSync(body) };
}

let loaded: Promise<Map<string, Asset>> | undefined;

/** Every asset by file name (graphiql.js, graphiql.css, start.js, <label>.worker.js). */
export function graphiqlAssets(): Promise<Map<string, Asset>> {
  loaded ??= import("@graphql-yoga/render-graphiql/graphiql").then((files) => {
    const assets = new Map<string, Asset>([
      ["graphiql.js", asset(javascript, files.js)],
      ["graphiql.css", asset("text/css; charset=utf-8", files.css)],
      ["start.js", asset(javascript, startScript)],
    ]);
    for (const [label, name] of Object.entries(workerExports))
      assets.set(`${label}.worker.js`, asset(javascript, files[name]));
    return assets;
  });
  return loaded;
}
