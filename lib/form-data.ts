import "server-only";
/**
 * A text field of a submitted form. Server actions are public endpoints: whatever arrives in place
 * of the FormData (nothing, a number, an object) reads as an empty field, never a crash.
 */
export function formText(formData: unknown, name: string): string {
  if (!(formData instanceof FormData)) return "";
  const value = formData.get(name);
  return typeof value === "string" ? value : "";
}

/** A field holding JSON (a WebAuthn response the page posted), parsed; undefined if it isn't JSON. */
export function jsonField(formData: unknown, name: string): unknown {
  try {
    return JSON.parse(formText(formData, name));
  } catch {
    return undefined;
  }
}
