import { AsyncLocalStorage } from "node:async_hooks";
import { PEER_HEADER } from "@/lib/peer-address";

/**
 * A browser for unit tests of lib code that reads and writes cookies and headers through
 * next/headers (mocked in test/setup.ts): its own cookie jar, User-Agent and address. Run lib
 * calls as one with `browser.run(() => …)`; calls outside any run use a default browser.
 */
export class TestBrowser {
  readonly jar = new Map<string, string>();

  constructor(
    readonly userAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
    readonly address = `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
  ) {}

  run<T>(fn: () => Promise<T>): Promise<T> {
    return storage.run(this, fn);
  }

  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  cookieStore() {
    const jar = this.jar;
    return {
      get: (name: string) => (jar.has(name) ? { name, value: jar.get(name)! } : undefined),
      getAll: () => [...jar].map(([name, value]) => ({ name, value })),
      has: (name: string) => jar.has(name),
      set: (name: string | { name: string; value: string; maxAge?: number }, value?: string, options?: { maxAge?: number }) => {
        const [key, val, maxAge] = typeof name === "string" ? [name, value ?? "", options?.maxAge] : [name.name, name.value, name.maxAge];
        if (maxAge === 0 || val === "") jar.delete(key);
        else jar.set(key, val);
      },
      delete: (name: string | { name: string }) => void jar.delete(typeof name === "string" ? name : name.name),
    };
  }

  headers(): Headers {
    return new Headers({ "user-agent": this.userAgent, [PEER_HEADER]: this.address });
  }
}

const storage = new AsyncLocalStorage<TestBrowser>();
const fallback = new TestBrowser();

export function currentBrowser(): TestBrowser {
  return storage.getStore() ?? fallback;
}
