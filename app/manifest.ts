import type { MetadataRoute } from "next";

/** Served at /manifest.webmanifest and linked from every page: the name and icons for "Add to Home Screen". */
export default function manifest(): MetadataRoute.Manifest {
  return {
    name: "Passwordless",
    short_name: "Passwordless",
    description: "Sign in with a passkey. No passwords to remember, steal or reset.",
    start_url: "/",
    display: "standalone",
    background_color: "#fafafa",
    theme_color: "#4338ca",
    icons: [
      { src: "/icon-192.png", sizes: "192x192", type: "image/png" },
      { src: "/icon-512.png", sizes: "512x512", type: "image/png" },
      { src: "/icon-maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
    ],
  };
}
