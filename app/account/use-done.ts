"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { useToast } from "@/components/toast";

/** After an account action that says it's done: the confirmation, and the page as it now is. */
export function useDone(state: { done?: string }) {
  const router = useRouter();
  const toast = useToast();
  useEffect(() => {
    if (!state.done) return;
    toast(state.done);
    router.refresh();
  }, [state, toast, router]);
}
