/**
 * A JSON string read as JSON text (`traits -> '$.name'`), for a value a person sees, such as an
 * account's name. A trait value may hold an unpaired surrogate, which `json_extract` would hand
 * libSQL's client as bytes that are not UTF-8 (the client aborts the process); the JSON text keeps it
 * escaped. Anything but a string (a number, an object, nothing) is null.
 *
 * @example
 * jsonTextString('"Acme"') // 'Acme'
 * jsonTextString('5') // null
 */
export function jsonTextString(json: unknown): string | null {
  if (typeof json !== 'string') return null;
  const value: unknown = JSON.parse(json);
  return typeof value === 'string' ? value : null;
}
