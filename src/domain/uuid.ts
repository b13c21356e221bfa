const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A canonical 8-4-4-4-12 UUID, any case: the one UUID test of ingest, read models and the API. */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
