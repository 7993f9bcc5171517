// Proto fields in JSON: Envoy's admin and istiod print some versions' fields in snake_case (the
// proto name) and others' in lowerCamelCase (protoc's JSON name).

/** protoc's JSON name of a proto field: `type_url` → `typeUrl` (the underscore goes, the next character is capitalised). */
export function jsonName(protoName: string): string {
  return protoName.replace(/_([a-z0-9])/g, (_, next: string) => next.toUpperCase());
}

/** A proto field of a parsed JSON object in either spelling. */
export function protoField(obj: Readonly<Record<string, unknown>>, protoName: string): unknown {
  const value = obj[protoName];
  return value !== undefined ? value : obj[jsonName(protoName)];
}
