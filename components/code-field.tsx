"use client";

import { useEffect, useRef, useState, useSyncExternalStore, type ClipboardEvent } from "react";
import { useFormStatus } from "react-dom";
import { CODE_LENGTH, codeFromPaste, normaliseCode } from "./code";

const subscribe = () => () => {};
const onClient = () => true;
const onServer = () => false;

/**
 * The 6-digit code from an email, shown as six slots. It is one real input (named "code") that
 * screen readers, autofill and the form see; the slots are a picture of its value drawn over it.
 * Until the page's script runs (or without it) the input is a plain text box. Typing, pasting
 * ("123 456") or autofilling the sixth digit submits the form, once per code.
 */
export function CodeField({ label = "Code from the email", id = "code" }: { label?: string; id?: string }) {
  const input = useRef<HTMLInputElement>(null);
  const enhanced = useSyncExternalStore(subscribe, onClient, onServer);
  const [value, setValue] = useState("");
  const [selection, setSelection] = useState<[number, number] | null>(null);
  const { pending } = useFormStatus();
  // The code this field last submitted by itself; cleared once it changes.
  const submitted = useRef<string | null>(null);
  // A submission is under way: block another (Enter right after the sixth digit, a double paste).
  const busy = useRef(false);

  useEffect(() => {
    busy.current = pending;
  }, [pending]);

  useEffect(() => {
    const field = input.current;
    const form = field?.form;
    if (!field || !form) return;
    const onSubmit = (event: SubmitEvent) => {
      if (busy.current) event.preventDefault();
      else busy.current = true;
    };
    // React resets the form after its action: the slots follow.
    const onReset = () => {
      submitted.current = null;
      field.setCustomValidity("");
      setValue("");
      setSelection(document.activeElement === field ? [0, 0] : null);
    };
    form.addEventListener("submit", onSubmit);
    form.addEventListener("reset", onReset);
    // Digits typed before the script ran.
    if (field.value) setValue(normaliseCode(field.value));
    return () => {
      form.removeEventListener("submit", onSubmit);
      form.removeEventListener("reset", onReset);
    };
  }, []);

  function update(next: string) {
    const field = input.current!;
    if (field.value !== next) field.value = next;
    // Said by the browser if the form is sent with part of a code.
    field.setCustomValidity(next.length > 0 && next.length < CODE_LENGTH ? `Enter all ${CODE_LENGTH} digits.` : "");
    setValue(next);
    track();
    if (next.length < CODE_LENGTH) {
      submitted.current = null;
      return;
    }
    if (submitted.current === next || busy.current) return;
    submitted.current = next;
    field.form?.requestSubmit();
  }

  function track() {
    const field = input.current!;
    setSelection(document.activeElement === field ? [field.selectionStart ?? field.value.length, field.selectionEnd ?? field.value.length] : null);
  }

  function paste(event: ClipboardEvent<HTMLInputElement>) {
    const text = event.clipboardData.getData("text");
    event.preventDefault();
    const code = codeFromPaste(text);
    if (code.length === CODE_LENGTH) return update(code);
    // Part of a code: put it where the caret is, as a paste would.
    const field = event.currentTarget;
    const start = field.selectionStart ?? field.value.length;
    const end = field.selectionEnd ?? field.value.length;
    update(normaliseCode(field.value.slice(0, start) + code + field.value.slice(end)));
  }

  // Clicks land on the slots: the caret goes after the last digit, where typing continues.
  function caretToEnd() {
    const field = input.current!;
    requestAnimationFrame(() => {
      if (field.selectionStart === field.selectionEnd) field.setSelectionRange(field.value.length, field.value.length);
      track();
    });
  }

  const [from, to] = selection ?? [-1, -1];
  const caret = selection && from === to ? Math.min(from, CODE_LENGTH - 1) : -1;

  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <div className="relative w-full max-w-sm">
        <input
          ref={input}
          id={id}
          name="code"
          type="text"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={CODE_LENGTH}
          required
          spellCheck={false}
          // The browser's message for a code typed without the script: what it wants, not "the requested format".
          title={enhanced ? undefined : "The 6 digits from the email"}
          // onInput, not onChange: after the form's reset React's onChange would miss the same code typed again.
          onInput={(event) => update(normaliseCode(event.currentTarget.value))}
          onPaste={paste}
          onSelect={track}
          onFocus={caretToEnd}
          onPointerUp={caretToEnd}
          onBlur={() => setSelection(null)}
          className={
            enhanced
              ? // Over the slots, the size of them all, its own text and caret invisible.
                "absolute inset-0 z-10 size-full cursor-text rounded-lg bg-transparent text-base text-transparent caret-transparent selection:bg-transparent"
              : "h-14 w-full rounded-lg border border-zinc-300 bg-white px-3 font-mono text-xl tracking-[0.4em] text-zinc-900 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
          }
        />
        {enhanced && (
          <div aria-hidden data-testid="code-slots" className="flex items-center gap-2">
            <Slots value={value} first={0} caret={caret} from={from} to={to} />
            <span className="h-0.5 w-2.5 shrink-0 rounded-full bg-zinc-400 dark:bg-zinc-600" />
            <Slots value={value} first={3} caret={caret} from={from} to={to} />
          </div>
        )}
      </div>
    </div>
  );
}

function Slots({ value, first, caret, from, to }: { value: string; first: number; caret: number; from: number; to: number }) {
  return (
    <div className="flex flex-1 gap-1.5 sm:gap-2">
      {[first, first + 1, first + 2].map((i) => {
        const digit = value[i];
        const active = i === caret || (i >= from && i < to);
        return (
          <div
            key={i}
            className={`flex h-14 min-w-0 flex-1 items-center justify-center rounded-lg border bg-white text-2xl font-medium tabular-nums text-zinc-900 transition-colors dark:bg-zinc-900 dark:text-zinc-100 ${
              active
                ? "border-indigo-600 ring-2 ring-indigo-500/30 dark:border-indigo-400 dark:ring-indigo-400/30"
                : digit
                  ? "border-zinc-400 dark:border-zinc-500"
                  : "border-zinc-300 dark:border-zinc-700"
            }`}
          >
            {digit ?? (i === caret && <span className="h-6 w-px animate-caret-blink bg-zinc-900 dark:bg-zinc-100" />)}
          </div>
        );
      })}
    </div>
  );
}
