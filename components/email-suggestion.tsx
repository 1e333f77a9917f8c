"use client";

import { useState, type FormEvent } from "react";
import { suggestEmail } from "@/lib/shared/email-domains";
import { Alert } from "./alert";
import { Button } from "./button";

/**
 * "Did you mean …@gmail.com?" for an email field, from the typed text alone (no request, so no
 * enumeration). Shown when the field is left, or instead of the first submit of a likely typo;
 * a second submit sends what was typed.
 */
export function useEmailSuggestion(initial: string) {
  const [value, setValue] = useState(initial);
  const [shown, setShown] = useState<string | null>(null);
  const suggestion = suggestEmail(value);
  return {
    value,
    inputProps: { value, onChange: (e: { target: { value: string } }) => setValue(e.target.value), onBlur: () => setShown(suggestion) },
    /** The form's onSubmit: holds back the first submit of a likely typo. */
    onSubmit: (e: FormEvent) => {
      if (suggestion && shown !== suggestion) {
        e.preventDefault();
        setShown(suggestion);
      }
    },
    suggestion: suggestion && shown === suggestion ? suggestion : null,
    accept: () => {
      if (suggestion) setValue(suggestion);
    },
  };
}

export function EmailSuggestion({ suggestion, onAccept }: { suggestion: string | null; onAccept: () => void }) {
  return (
    <div aria-live="polite" className="empty:hidden">
      {suggestion && (
        <Alert tone="info">
          <span className="flex flex-wrap items-center gap-2">
            Did you mean <strong className="break-all">{suggestion}</strong>?
            <Button type="button" size="small" variant="secondary" onClick={onAccept}>
              Use {suggestion}
            </Button>
          </span>
        </Alert>
      )}
    </div>
  );
}
