import "server-only";
import type { User } from "@/db/schema";
import { rememberCookie } from "./flow";
import { startSession, type AuthMethod } from "./session";

/** Every way in ends here: a fresh session, and the sign-in page will greet this person next time. */
export async function completeSignIn(user: User, method: AuthMethod, passkeyId: string | null = null): Promise<void> {
  await startSession({ userId: user.id, method, passkeyId });
  const remember = await rememberCookie();
  remember.userId = user.id;
  remember.username = user.username;
  await remember.save();
}
