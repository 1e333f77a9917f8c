import { expect, test } from "./fixtures";

/** What browsers and phones fetch by themselves: a 404 here shows in every server log and tab. */
test("the favicon, touch icon and web manifest answer with the right types, and every page links them", async ({ page, request }) => {
  const favicon = await request.get("/favicon.ico");
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()["content-type"]).toBe("image/x-icon");

  for (const path of ["/", "/login", "/signup", "/no-such-page"]) {
    await page.goto(path);
    const head = page.locator("head");
    for (const rel of ["icon", "apple-touch-icon", "manifest"]) {
      await expect(head.locator(`link[rel="${rel}"]`).first(), `${path} links its ${rel}`).toBeAttached();
    }
  }

  const links = await page.locator('head link[rel="icon"], head link[rel="apple-touch-icon"]').evaluateAll((els) =>
    els.map((el) => ({ href: el.getAttribute("href")!, type: el.getAttribute("type") })),
  );
  expect(links.map((l) => l.type).sort()).toEqual(["image/png", "image/svg+xml", "image/x-icon"]);
  for (const { href, type } of links) {
    const icon = await request.get(href);
    expect(icon.status(), href).toBe(200);
    expect(icon.headers()["content-type"], href).toBe(type);
    // Static files pass by the proxy: cacheable, unlike pages.
    expect(icon.headers()["cache-control"] ?? "", href).not.toContain("no-store");
  }

  const manifestHref = (await page.locator('head link[rel="manifest"]').getAttribute("href"))!;
  const manifest = await request.get(manifestHref);
  expect(manifest.status()).toBe(200);
  expect(manifest.headers()["content-type"]).toBe("application/manifest+json");
  const { name, icons } = (await manifest.json()) as { name: string; icons: { src: string; sizes: string; type: string }[] };
  expect(name).toBe("Passwordless");
  expect(icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(["192x192", "512x512"]));
  for (const { src, type } of icons) {
    const icon = await request.get(src);
    expect(icon.status(), src).toBe(200);
    expect(icon.headers()["content-type"], src).toBe(type);
  }
});
