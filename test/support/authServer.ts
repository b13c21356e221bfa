/**
 * A stand-in for the platform's auth service on loopback: RSA keys generated here, a real JWKS HTTP
 * endpoint that counts its fetches and can rotate, hang, answer garbage or stop, and tokens signed
 * like pms-auth's (RS256, `kid`, iss http://auth:8081, sub, scope, token_type, 1 h, no aud).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";

export const testIssuer = "http://auth:8081";

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function newSigningKey(kid: string = randomUUID()): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  return { kid, privateKey, publicJwk };
}

export type JwksBehaviour = "serve" | "hang" | "not-json" | "error";

export interface TokenOptions {
  sub?: string;
  tokenType?: string | undefined;
  issuer?: string;
  /** Seconds from now. */
  expiresIn?: number;
  /** Seconds from now. */
  notBefore?: number;
  audience?: string;
  kid?: string;
  key?: SigningKey;
}

export class TestAuthServer {
  fetches = 0;
  behaviour: JwksBehaviour = "serve";
  keys: SigningKey[] = [];
  private server: Server | undefined;
  private hanging = new Set<import("node:http").ServerResponse>();
  port = 0;

  static async start(): Promise<TestAuthServer> {
    const auth = new TestAuthServer();
    auth.keys = [await newSigningKey()];
    await auth.listen();
    return auth;
  }

  get jwksUrl(): string {
    return `http://127.0.0.1:${this.port}/oauth2/jwks`;
  }

  get current(): SigningKey {
    return this.keys.at(-1)!;
  }

  /** What pms-auth does on restart: a new key pair with a new kid, the old one gone. */
  async rotate(): Promise<SigningKey> {
    this.keys = [await newSigningKey()];
    return this.current;
  }

  async listen(port = this.port): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url !== "/oauth2/jwks") {
        res.writeHead(404).end();
        return;
      }
      this.fetches++;
      if (this.behaviour === "hang") {
        this.hanging.add(res);
        return;
      }
      if (this.behaviour === "error") {
        res.writeHead(500, { "content-type": "text/plain" }).end("boom");
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        this.behaviour === "not-json"
          ? "<html>not a jwks</html>"
          : JSON.stringify({ keys: this.keys.map((k) => k.publicJwk) }),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    this.server = undefined;
  }

  async token(options: TokenOptions = {}): Promise<string> {
    const key = options.key ?? this.current;
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = { scope: "ROLE_USER" };
    const tokenType = "tokenType" in options ? options.tokenType : "USER";
    if (tokenType !== undefined) claims.token_type = tokenType;
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: options.kid ?? key.kid })
      .setIssuer(options.issuer ?? testIssuer)
      .setSubject(options.sub ?? "alice")
      .setIssuedAt(now)
      .setExpirationTime(now + (options.expiresIn ?? 3600));
    if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
    if (options.audience !== undefined) jwt.setAudience(options.audience);
    return jwt.sign(key.privateKey);
  }
}

/** Environment that turns identity on against this server. */
export function authEnv(auth: TestAuthServer, extra: Record<string, string> = {}) {
  return {
    RTTM_AUTH_MODE: "jwt",
    RTTM_AUTH_JWKS_URL: auth.jwksUrl,
    RTTM_AUTH_ISSUER: testIssuer,
    RTTM_AUTH_JWKS_TIMEOUT: "1s",
    ...extra,
  };
}
