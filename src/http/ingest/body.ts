/**
 * Reading a posted body: its form from the Content-Type (one raw event, or length-delimited
 * events), its bytes within a limit, and a delimited batch split into events.
 */
import type { IncomingMessage } from "node:http";
import { RttmError } from "../../domain/errors.js";

export type BodyForm = "single" | "delimited";

export const singleEventType = "application/octet-stream";
export const batchType = "application/x-protobuf; delimited=true";

/** The body's form, or undefined for a content type these endpoints do not take (415). */
export function bodyForm(contentType: string | undefined): BodyForm | undefined {
  if (!contentType) return undefined;
  const [type, ...params] = contentType.split(";").map((p) => p.trim().toLowerCase());
  if (type === singleEventType && params.every((p) => p.startsWith("charset="))) return "single";
  if (type === "application/x-protobuf" && params.includes("delimited=true")) return "delimited";
  return undefined;
}

/** A body refused before its events are looked at: BODY_INVALID (400) or BODY_TOO_LARGE (413). */
export class BodyRefused extends RttmError<"BODY_INVALID" | "BODY_TOO_LARGE"> {
  override name = "BodyRefused";
  constructor(status: 400 | 413, message: string, index?: number) {
    super(status === 413 ? "BODY_TOO_LARGE" : "BODY_INVALID", message, { index });
  }
}

/**
 * The whole body, or BodyRefused(413) as soon as it exceeds `maxBytes` (declared or received). The
 * rest of a refused body is read and discarded, so the refusal can still be answered.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > maxBytes)
    return Promise.reject(new BodyRefused(413, tooLarge(declared, maxBytes)));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let refused = false;
    req.on("data", (chunk: Buffer) => {
      if (refused) return;
      length += chunk.length;
      if (length > maxBytes) {
        refused = true;
        reject(new BodyRefused(413, tooLarge(length, maxBytes)));
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)));
    req.on("error", reject);
  });
}

const tooLarge = (bytes: number, max: number) =>
  `body of ${bytes} bytes exceeds the limit of ${max} bytes`;

/** Events of a length-delimited body: each an unsigned varint length, then that many bytes. */
export function splitDelimited(body: Buffer, maxEventBytes: number, maxEvents: number): Buffer[] {
  const events: Buffer[] = [];
  let position = 0;
  while (position < body.length) {
    const index = events.length;
    if (index >= maxEvents)
      throw new BodyRefused(413, `batch holds more than ${maxEvents} events`, index);
    let length = 0;
    let shift = 0;
    for (;;) {
      if (position >= body.length || shift > 28)
        throw new BodyRefused(400, `event ${index}: length prefix is truncated or too long`, index);
      const byte = body[position++]!;
      length += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
    }
    if (length === 0) throw new BodyRefused(400, `event ${index} is empty`, index);
    if (length > maxEventBytes)
      throw new BodyRefused(
        413,
        `event ${index} of ${length} bytes exceeds the limit of ${maxEventBytes} bytes`,
        index,
      );
    if (position + length > body.length)
      throw new BodyRefused(
        400,
        `event ${index}: ${length} bytes announced, ${body.length - position} left in the body`,
        index,
      );
    events.push(body.subarray(position, position + length));
    position += length;
  }
  return events;
}
