/** The mark: a keyhole in a rounded square (app/icon.svg is the same drawing). Decorative: the name stands beside it. */
export function Logo({ className = "size-7" }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" aria-hidden className={`shrink-0 ${className}`}>
      <defs>
        <linearGradient id="logo-fill" x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor="#6366f1" />
          <stop offset="1" stopColor="#4338ca" />
        </linearGradient>
      </defs>
      <rect width="32" height="32" rx="8" fill="url(#logo-fill)" />
      <path fill="#fff" d="M16 6.5a6 6 0 0 1 3.2 11.08l1.26 6.45A1.5 1.5 0 0 1 19 25.8h-6a1.5 1.5 0 0 1-1.47-1.77l1.27-6.45A6 6 0 0 1 16 6.5Z" />
    </svg>
  );
}
