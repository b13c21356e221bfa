/**
 * A caller's argument that the read models refuse: a malformed cursor, a page size or window out
 * of range, too many buckets. `argument` names the argument; the message says what is allowed.
 * The GraphQL layer turns it into a client error (the request, not the server, is at fault).
 */
export class InvalidInputError extends Error {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(message);
    this.name = "InvalidInputError";
  }
}
