import "server-only";
import { headers } from "next/headers";
import type { User } from "@/db/schema";
import { recordActivity } from "./activity";
import { rememberCookie } from "./flow";
import { startSession, type AuthMethod } from "./session";
import { summarizeUserAgent } from "./user-agent";

/** Every way in ends here: a fresh session, and the sign-in page will greet this person next time. */
export async function completeSignIn(user: User, method: AuthMethod, passkeyId: string | null = null): Promise<void> {
  await startSession({ userId: user.id, method, passkeyId });
  await recordActivity(user.id, "signed_in", { method, device: summarizeUserAgent((await headers()).get("user-agent")) });
  const remember = await rememberCookie();
  remember.userId = user.id;
  remember.username = user.username;
  await remember.save();
}
