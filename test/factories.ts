import { randomBytes } from "node:crypto";
import type { User } from "@/db/schema";
import { createVerifiedUser } from "@/lib/users";

/** A verified user with a unique username and email, created through the app's own code. */
export async function newUser(prefix = "u"): Promise<User> {
  const id = randomBytes(5).toString("hex");
  const created = await createVerifiedUser({ username: `${prefix}_${id}`, email: `${prefix}.${id}@example.test`, name: null });
  if (!created.ok) throw new Error(created.error);
  return created.user;
}
