import "server-only";
import { getIronSession, type IronSession } from "iron-session";
import { cookies } from "next/headers";
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { getConfig } from "./env";
import { TOKEN_PATTERN } from "./secrets";

/**
 * The app's cookies, one per concern, each httpOnly, SameSite=Lax, Secure with the __Host- prefix
 * under https, and no longer-lived than what it points at. Three kinds:
 *
 * - sealed (iron-session): the session, the only cookie a sign-in seals;
 * - signed (HMAC, integrity without secrecy): the remembered user;
 * - plain: a random id pointing at server-side state (a flow in progress), or text the person
 *   typed themselves. Nothing to protect in either, so no sealing work per request.
 */
type CookieStore = Awaited<ReturnType<typeof cookies>>;

/** Cookie name, with the __Host- prefix under https (Secure, path /, no Domain: no subdomain can set it). */
function cookieName(name: string): string {
  return getConfig().secure ? `__Host-${name}` : name;
}

function options(maxAgeSeconds: number) {
  return { httpOnly: true, sameSite: "lax" as const, secure: getConfig().secure, path: "/", maxAge: maxAgeSeconds };
}

/** A plain cookie holding one value. */
export type ValueCookie = { get(): Promise<string | undefined>; set(value: string): Promise<void>; clear(): Promise<void> };

function valueCookie(name: string, maxAgeSeconds: number, valid: (value: string) => boolean): ValueCookie {
  return {
    async get() {
      const value = (await cookies()).get(cookieName(name))?.value;
      return value !== undefined && valid(value) ? value : undefined;
    },
    async set(value) {
      (await cookies()).set(cookieName(name), value, options(maxAgeSeconds));
    },
    async clear() {
      (await cookies()).delete({ name: cookieName(name), path: "/" });
    },
  };
}

/** A random id (randomToken) pointing at a flow's state in the ephemeral store. */
export function pointerCookie(name: string, maxAgeSeconds: number): ValueCookie {
  return valueCookie(name, maxAgeSeconds, (v) => TOKEN_PATTERN.test(v));
}

/** Short text the person typed (URL-encoded), echoed back to them on the next page. */
export function textCookie(name: string, maxAgeSeconds: number, maxLength: number): ValueCookie {
  const inner = valueCookie(name, maxAgeSeconds, (v) => v.length <= maxLength * 3);
  return {
    async get() {
      const raw = await inner.get();
      try {
        return raw === undefined ? undefined : decodeURIComponent(raw);
      } catch {
        return undefined;
      }
    },
    set: (value) => inner.set(encodeURIComponent(value.slice(0, maxLength))),
    clear: inner.clear,
  };
}

/** Cookies the app no longer sets: a browser still sending one is told to drop it (a header only then). */
export async function dropRetiredCookies(names: readonly string[]): Promise<void> {
  const store = await cookies();
  for (const name of names) if (store.has(cookieName(name))) store.delete({ name: cookieName(name), path: "/" });
}

/** The signing key, derived once per process from SESSION_SECRET (HKDF), never the secret itself. */
function signingKey(): Buffer {
  const state = globalThis as unknown as { __passwordlessCookieKey?: { secret: string; key: Buffer } };
  const secret = getConfig().sessionSecret;
  if (state.__passwordlessCookieKey?.secret !== secret) {
    state.__passwordlessCookieKey = { secret, key: Buffer.from(hkdfSync("sha256", secret, "", "passwordless signed cookie", 32)) };
  }
  return state.__passwordlessCookieKey.key;
}

function mac(name: string, value: string): string {
  return createHmac("sha256", signingKey()).update(`${name}\0${value}`).digest("base64url");
}

/** A value the server vouches for: readable, but not forgeable (HMAC-SHA256 over name and value). */
export function signedCookie(name: string, maxAgeSeconds: number, maxLength = 512): ValueCookie {
  const inner = valueCookie(name, maxAgeSeconds, (v) => v.length <= maxLength);
  return {
    async get() {
      const raw = await inner.get();
      const dot = raw?.lastIndexOf(".") ?? -1;
      if (!raw || dot < 1) return undefined;
      const value = raw.slice(0, dot);
      const given = Buffer.from(raw.slice(dot + 1));
      const expected = Buffer.from(mac(name, value));
      return given.length === expected.length && timingSafeEqual(given, expected) ? value : undefined;
    },
    set: (value) => inner.set(`${value}.${mac(name, value)}`),
    clear: inner.clear,
  };
}

/**
 * An iron-session sealed cookie. A cookie that does not unseal (tampered, old secret, garbage)
 * reads as empty instead of failing the request.
 */
export async function sealedCookie<T extends object>(name: string, ttlSeconds: number): Promise<IronSession<Partial<T>>> {
  // cookies() first: it marks the page dynamic before any runtime configuration is read.
  const store = await cookies();
  const config = getConfig();
  const ironOptions = {
    cookieName: cookieName(name),
    password: config.sessionSecret,
    ttl: ttlSeconds,
    cookieOptions: { httpOnly: true, sameSite: "lax" as const, secure: config.secure, path: "/" },
  };
  try {
    return await getIronSession<Partial<T>>(store, ironOptions);
  } catch {
    const ignoringBroken: Pick<CookieStore, "get" | "set"> = {
      get: ((key: string) => (key === ironOptions.cookieName ? undefined : store.get(key))) as CookieStore["get"],
      set: store.set.bind(store),
    };
    return getIronSession<Partial<T>>(ignoringBroken, ironOptions);
  }
}
