import { endSession } from "@/lib/session";

/**
 * Sign out: a POST only (a link or prefetch can never sign anyone out). The row goes, so a copied
 * cookie stops working; the browser is asked to drop this site's cached pages and storage.
 * Cookies are left to the cookie jar: the remembered user keeps greeting this person.
 */
export async function POST(): Promise<Response> {
  await endSession();
  return new Response(null, { status: 303, headers: { Location: "/", "Clear-Site-Data": '"cache", "storage"', "Cache-Control": "no-store" } });
}
