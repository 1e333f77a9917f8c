/**
 * The look of buttons, for <button>s (button.tsx) and for links that act as buttons. No
 * "use client": server components call it too. One primary action per view: filled; secondary:
 * outlined; ghost: text only; all medium weight, so the fill, not the weight, tells them apart.
 */
export type Variant = "primary" | "secondary" | "ghost" | "danger";
export type Size = "regular" | "small";

const variants: Record<Variant, string> = {
  primary: "bg-accent text-accent-fg shadow-sm hover:bg-accent-hover dark:bg-indigo-400 dark:text-zinc-950 dark:hover:bg-indigo-300",
  secondary:
    "border border-zinc-300 bg-white text-zinc-900 shadow-xs hover:border-zinc-400 hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:border-zinc-600 dark:hover:bg-zinc-800",
  ghost: "text-indigo-700 hover:bg-indigo-50 dark:text-indigo-300 dark:hover:bg-zinc-800",
  danger: "bg-red-700 text-white shadow-sm hover:bg-red-800",
};

const sizes: Record<Size, string> = {
  // Full width on phones: one thumb-sized target per row.
  regular: "w-full px-4 py-2.5 text-base",
  // Secondary actions inside a row: as wide as their label, still a 44 px touch target.
  small: "w-auto px-3 py-2 text-sm",
};

export function buttonClass(variant: Variant = "primary", size: Size = "regular"): string {
  return `inline-flex min-h-11 items-center justify-center gap-2 whitespace-nowrap rounded-lg font-medium transition-colors disabled:cursor-not-allowed disabled:opacity-60 ${sizes[size]} ${variants[variant]}`;
}
