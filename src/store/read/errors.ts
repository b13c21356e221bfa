/**
 * A caller's argument that the read models refuse: a malformed cursor, a page size or window out
 * of range, too many buckets. `argument` names the argument; the message says what is allowed.
 * Its code, BAD_USER_INPUT, makes every transport answer it as the client's mistake (GraphQL
 * extensions, a 400 of the old REST API).
 */
import { RttmError } from "../../domain/errors.js";

export class InvalidInputError extends RttmError<"BAD_USER_INPUT"> {
  override name = "InvalidInputError";
  declare readonly argument: string;
  constructor(argument: string, message: string) {
    super("BAD_USER_INPUT", message, { argument });
  }
}
