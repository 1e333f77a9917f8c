/** The emailed one-time codes: six digits, however a person types, pastes or autofills them. */
export const CODE_LENGTH = 6;

/**
 * What a person typed or autofilled, as the digits of a code: full-width digits (from some
 * keyboards) count as digits, spaces, dashes and anything else are dropped, at most six kept.
 */
export function normaliseCode(text: string): string {
  return text.normalize("NFKC").replace(/\D/g, "").slice(0, CODE_LENGTH);
}

/**
 * A paste: the code as the email shows it ("123 456", "123-456"), or a line of the email around
 * it ("Your code is 123 456."): the first six digits standing on their own, else the digits.
 */
export function codeFromPaste(text: string): string {
  const plain = text.normalize("NFKC");
  const standalone = /(?<!\d)\d{3}[\s\-\u2010-\u2015.]?\d{3}(?!\d)/.exec(plain);
  return standalone ? normaliseCode(standalone[0]) : normaliseCode(plain);
}
