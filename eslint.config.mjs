import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/**
 * lib/ has two sides: lib/shared/ may be imported by client code (files marked "use client"), the
 * rest is server-only (it holds secrets, the database and the store). Client code may still import
 * types from anywhere: they are erased before the bundle.
 */
const clientImports = {
  meta: { type: "problem", schema: [] },
  create(context) {
    const isClient = context.sourceCode.ast.body.some((node) => node.type === "ExpressionStatement" && node.directive === "use client");
    if (!isClient) return {};
    return {
      ImportDeclaration(node) {
        const source = node.source.value;
        if (typeof source !== "string" || !/^@\/lib\//.test(source) || source.startsWith("@/lib/shared/")) return;
        const typeOnly = node.importKind === "type" || (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === "type"));
        if (!typeOnly) context.report({ node, message: `Client code imports only lib/shared/ (and types): ${source} is server-only.` });
      },
    };
  },
};

const serverOnlyLib = {
  meta: { type: "problem", schema: [] },
  create(context) {
    return {
      Program(program) {
        const marked = program.body.some((node) => node.type === "ImportDeclaration" && node.source.value === "server-only");
        if (!marked) context.report({ node: program, message: 'A lib/ module outside lib/shared/ starts with import "server-only".' });
      },
    };
  },
};

const config = [
  ...nextVitals,
  ...nextTs,
  { ignores: [".next/**", ".vercel/**", "node_modules/**", ".data/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
  { plugins: { boundaries: { rules: { "client-imports": clientImports, "server-only-lib": serverOnlyLib } } } },
  { files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"], rules: { "boundaries/client-imports": "error" } },
  {
    files: ["lib/*.ts"],
    // Loaded outside React's server build, where "server-only" throws: by proxy.ts (action-body,
    // peer-address), instrumentation.ts (startup) and the bench (user-agent). Still server-side:
    // client code can't import them (client-imports).
    ignores: ["lib/*.test.ts", "lib/action-body.ts", "lib/peer-address.ts", "lib/startup.ts", "lib/user-agent.ts"],
    rules: { "boundaries/server-only-lib": "error" },
  },
];

export default config;
