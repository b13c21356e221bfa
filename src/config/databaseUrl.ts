type Env = Record<string, string | undefined>;

/** DATABASE_URL when set, else a URL built from the old service's DB_* variables. */
export function databaseUrlFromEnv(env: Env): string {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const host = env.DB_HOST || "localhost";
  const port = env.DB_PORT || "5432";
  const name = env.DB_NAME || "pmsdb";
  const user = env.DB_USERNAME || "postgres";
  const password = env.DB_PASSWORD ?? "";
  const auth = password
    ? `${encodeURIComponent(user)}:${encodeURIComponent(password)}`
    : encodeURIComponent(user);
  return `postgresql://${auth}@${host}:${port}/${encodeURIComponent(name)}`;
}
