import type { NextConfig } from "next";

const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  { key: "X-Frame-Options", value: "DENY" },
];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Native addon and WASM database: load from node_modules at run time instead of bundling.
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2"],
  // PGlite (about 20 MB) serves only development and local trials: a deployment with
  // DATABASE_URL never loads it, and on Vercel lib/env.ts refuses the embedded database.
  outputFileTracingExcludes: { "/**": ["node_modules/@electric-sql/pglite/**"] },
  // Those excludes don't reach instrumentation.ts's trace, which every function carries: built on
  // Vercel (`vercel build` sets VERCEL=1), the embedded database's warm-up is compiled out of it.
  env: { EMBEDDED_WARM_UP: process.env.VERCEL ? "" : "1" },
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      // Pages whose URL carries an emailed secret must not leak it to other sites. "same-origin"
      // rather than "no-referrer": under no-referrer a browser's form posts say "Origin: null",
      // which the proxy refuses as cross-site, and the page's policy outlives client navigations.
      { source: "/signup/verify", headers: [{ key: "Referrer-Policy", value: "same-origin" }] },
      { source: "/login/email", headers: [{ key: "Referrer-Policy", value: "same-origin" }] },
      { source: "/account/email", headers: [{ key: "Referrer-Policy", value: "same-origin" }] },
      { source: "/account/confirm/email", headers: [{ key: "Referrer-Policy", value: "same-origin" }] },
      { source: "/recover", headers: [{ key: "Referrer-Policy", value: "same-origin" }] },
      { source: "/not-me", headers: [{ key: "Referrer-Policy", value: "same-origin" }] },
    ];
  },
};

export default nextConfig;
