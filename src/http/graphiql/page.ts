/** The GraphiQL page: markup only, every script and style from RTTM's own asset path. */

export interface GraphiQLPageOptions {
  title: string;
  /** Where queries go (the path the page was opened at, so it works behind the gateway too). */
  endpoint: string;
  /** graphql-ws path for subscriptions. */
  subscriptionsEndpoint: string;
  /** Absolute path of the assets, e.g. /api/rttm/graphiql. */
  assetsPath: string;
  /** Initial content of the headers editor. */
  headers?: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON inside a <script type="application/json"> block: `<` escaped so no `</script>` can end it. */
const embeddedJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c");

/** A policy the page works under: nothing from other origins, no inline script. */
export const graphiqlContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  // Monaco and GraphiQL set element styles at runtime.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self'",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
].join("; ");

export function renderGraphiQLPage(options: GraphiQLPageOptions): string {
  const assets = escapeHtml(options.assetsPath);
  const graphiql = {
    title: options.title,
    endpoint: options.endpoint,
    subscriptionsProtocol: "WS",
    subscriptionsEndpoint: options.subscriptionsEndpoint,
    assetsPath: options.assetsPath,
    ...(options.headers ? { headers: options.headers } : {}),
  };
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options.title)}</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${assets}/graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run GraphiQL.</noscript>
    <div id="root"></div>
    <script type="application/json" id="graphiql-options">${embeddedJson(graphiql)}</script>
    <script src="${assets}/graphiql.js"></script>
    <script src="${assets}/start.js"></script>
  </body>
</html>
`;
}
