/**
 * `npx tsx scripts/render-icons.ts`: renders the mark (app/icon.svg) into the PNG and ICO files
 * browsers and phones ask for, with the machine's Chromium (no image tools needed). Run it after
 * changing app/icon.svg and commit what it writes:
 *   app/favicon.ico        16, 32 and 48 px, for browsers and tools that only try /favicon.ico
 *   app/apple-icon.png     180 px, square and opaque: iOS rounds the corners itself
 *   public/icon-192.png, public/icon-512.png   the web manifest's icons
 *   public/icon-maskable-512.png               full bleed, the keyhole inside the safe zone
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { chromium } from "@playwright/test";

const FAVICON_SIZES = [16, 32, 48];
const svg = readFileSync("app/icon.svg", "utf8");
/** Square corners: for platforms that cut their own shape. */
const fullBleed = svg.replace(/rx="[\d.]+"/, 'rx="0"');
/** The keyhole scaled about the middle: 70 % keeps it inside a maskable icon's safe zone (the middle 80 % circle). */
const scaled = (source: string, scale: number) => source.replace(/<path /, `<path transform="translate(${16 * (1 - scale)} ${16 * (1 - scale)}) scale(${scale})" `);
const maskable = scaled(fullBleed, 0.7);

async function main(): Promise<void> {
  const executablePath = process.env.CHROMIUM_PATH || (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);
  const browser = await chromium.launch({ executablePath });
  const page = await browser.newPage();
  async function png(source: string, size: number): Promise<Buffer> {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${source}`);
    return page.screenshot({ omitBackground: true });
  }
  try {
    const favicons: { size: number; png: Buffer }[] = [];
    for (const size of FAVICON_SIZES) favicons.push({ size, png: await png(svg, size) });
    writeFileSync("app/favicon.ico", ico(favicons));
    writeFileSync("app/apple-icon.png", await png(scaled(fullBleed, 0.85), 180));
    writeFileSync("public/icon-192.png", await png(svg, 192));
    writeFileSync("public/icon-512.png", await png(svg, 512));
    writeFileSync("public/icon-maskable-512.png", await png(maskable, 512));
  } finally {
    await browser.close();
  }
}

/** An ICO file holding PNG images (supported by every browser since 2007). */
function ico(images: { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, i) => {
    const entry = 6 + 16 * i;
    // A width or height of 256 is written as 0.
    header.writeUInt8(size % 256, entry);
    header.writeUInt8(size % 256, entry + 1);
    header.writeUInt16LE(1, entry + 4);
    header.writeUInt16LE(32, entry + 6);
    header.writeUInt32LE(png.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map((image) => image.png)]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
