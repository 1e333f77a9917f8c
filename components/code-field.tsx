import { Field } from "./field";

/** The 6-digit code from an email: numeric keypad, one-time-code autofill, spaces tolerated. */
export function CodeField({ label = "Code from the email", id }: { label?: string; id?: string }) {
  return (
    <Field
      label={label}
      id={id}
      name="code"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9 ]*"
      maxLength={7}
      required
      className="font-mono text-lg tracking-[0.3em]"
    />
  );
}
