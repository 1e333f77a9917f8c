"use client";

import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";

/**
 * Short confirmations after an action ("Passkey renamed."), announced to screen readers through
 * one polite live region that is always in the page, and gone after a few seconds. The newest
 * one shows over the site's header bar, never over the page's content, and never moves the layout.
 */
type Toast = { id: number; text: string; tone: "success" | "error" };

const ToastContext = createContext<(text: string, tone?: Toast["tone"]) => void>(() => {});

const SHOW_MS = 5000;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(0);
  const show = useCallback((text: string, tone: Toast["tone"] = "success") => {
    const id = ++nextId.current;
    setToasts([{ id, text, tone }]);
  }, []);
  const dismiss = useCallback((id: number) => setToasts((list) => list.filter((t) => t.id !== id)), []);
  return (
    <ToastContext.Provider value={show}>
      {children}
      <div aria-live="polite" role="status" className="pointer-events-none fixed inset-x-0 top-2.5 z-50 flex flex-col items-center px-3">
        {toasts.map((t) => (
          <ToastItem key={t.id} toast={t} onDone={dismiss} />
        ))}
      </div>
    </ToastContext.Provider>
  );
}

function ToastItem({ toast, onDone }: { toast: Toast; onDone: (id: number) => void }) {
  useEffect(() => {
    const timer = setTimeout(() => onDone(toast.id), SHOW_MS);
    return () => clearTimeout(timer);
  }, [toast.id, onDone]);
  return (
    <div
      data-testid="toast"
      className={`pointer-events-auto flex min-h-12 max-w-md items-center gap-3 rounded-lg py-1 pl-4 pr-1 text-sm font-medium shadow-lg ${
        toast.tone === "error" ? "bg-red-700 text-white" : "bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900"
      }`}
    >
      <span>{toast.text}</span>
      <button type="button" onClick={() => onDone(toast.id)} className="inline-flex size-10 shrink-0 items-center justify-center rounded opacity-80 hover:opacity-100" aria-label="Dismiss">
        ✕
      </button>
    </div>
  );
}

export function useToast() {
  return useContext(ToastContext);
}
