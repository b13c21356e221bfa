/**
 * Who called: the vocabulary of identity, below every layer that uses it (the GraphQL context and
 * the alert mutations read it; src/http/identity verifies tokens and produces it).
 */
export interface Identity {
  /** `sub`: the user name (pms-auth) or the client id of a service token. */
  subject: string;
  tokenType: string;
  /** `scope`, split on spaces. */
  scopes: string[];
  /** `exp`: a socket authenticated with this token is closed then. */
  expiresAt: Date;
}
