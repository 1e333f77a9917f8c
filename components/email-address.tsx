import { Fragment } from "react";

/**
 * An address (or whatever was typed) that may wrap on a phone, but only where a reader would
 * break it: before the @ and after dots, never mid-word.
 */
export function EmailAddress({ value }: { value: string }) {
  const parts = value.split(/(?=@)|(?<=\.)/);
  return (
    <strong className="font-semibold text-zinc-900 dark:text-zinc-100">
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          {part}
        </Fragment>
      ))}
    </strong>
  );
}
