import "server-only";
import { getIronSession, type IronSession } from "iron-session";
import { cookies } from "next/headers";
import { getConfig } from "./env";

type CookieStore = Awaited<ReturnType<typeof cookies>>;

/** Cookie name, with the __Host- prefix under https (Secure, path /, no Domain: no subdomain can set it). */
export function cookieName(name: string): string {
  return getConfig().secure ? `__Host-${name}` : name;
}

/**
 * An iron-session sealed cookie. A cookie that does not unseal (tampered, old secret, garbage)
 * reads as empty instead of failing the request.
 */
export async function sealedCookie<T extends object>(name: string, ttlSeconds: number): Promise<IronSession<Partial<T>>> {
  // cookies() first: it marks the page dynamic before any runtime configuration is read.
  const store = await cookies();
  const config = getConfig();
  const options = {
    cookieName: cookieName(name),
    password: config.sessionSecret,
    ttl: ttlSeconds,
    cookieOptions: { httpOnly: true, sameSite: "lax" as const, secure: config.secure, path: "/" },
  };
  try {
    return await getIronSession<Partial<T>>(store, options);
  } catch {
    const ignoringBroken: Pick<CookieStore, "get" | "set"> = {
      get: ((key: string) => (key === options.cookieName ? undefined : store.get(key))) as CookieStore["get"],
      set: store.set.bind(store),
    };
    return getIronSession<Partial<T>>(ignoringBroken, options);
  }
}
