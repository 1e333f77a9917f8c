/**
 * A stand-in for Resend's API that records what the app sends, so e2e tests can read mail from a
 * production build (where /dev/outbox is a 404). Test tooling only: never imported by app code.
 *
 * Protocol (as resend 6.x's `emails.send` uses it, with RESEND_BASE_URL as its `baseUrl`):
 * - POST {baseUrl}/emails with `Authorization: Bearer <api key>` and a JSON body
 *   {from, to, subject, html, text, ...} (`to` a string or an array; other fields snake_case);
 * - success is 200 with {"id": "<uuid>"}; a failure is a non-2xx status with
 *   {"statusCode", "name", "message"}, which the SDK hands back as `error` rather than throwing.
 *
 * Tests read GET /messages?to=<address>: that address's messages, newest first.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import { z } from "zod";
import { listenOnLoopback, readBody, sendJson as send } from "./services";

export type RecordedMail = { id: string; from: string; to: string[]; subject: string; text: string; html: string; receivedAt: string };
export type MailRecorder = { url: string; close(): Promise<void> };

const emailSchema = z.object({
  from: z.string().min(1),
  to: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(50)]),
  subject: z.string().min(1),
  text: z.string().optional(),
  html: z.string().optional(),
});

export async function startMailRecorder(opts: { apiKey: string; port?: number }): Promise<MailRecorder> {
  const messages: RecordedMail[] = [];
  const server = http.createServer((req, res) => {
    handle(req, opts.apiKey, messages).then(
      ({ status, body }) => send(res, status, body),
      (error: unknown) => send(res, 500, { statusCode: 500, name: "application_error", message: error instanceof Error ? error.message : String(error) }),
    );
  });
  return listenOnLoopback(server, opts.port);
}

type Reply = { status: number; body: unknown };

const apiError = (statusCode: number, name: string, message: string): Reply => ({ status: statusCode, body: { statusCode, name, message } });

async function handle(req: http.IncomingMessage, apiKey: string, messages: RecordedMail[]): Promise<Reply> {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (req.method === "GET" && url.pathname === "/messages") {
    const to = url.searchParams.get("to")?.toLowerCase();
    return { status: 200, body: to ? messages.filter((m) => m.to.includes(to)) : messages };
  }
  if (req.method !== "POST" || url.pathname !== "/emails") return apiError(404, "not_found", `No route for ${req.method} ${url.pathname}`);
  if (!req.headers.authorization) return apiError(401, "missing_api_key", "Missing API key in the authorization header");
  if (req.headers.authorization !== `Bearer ${apiKey}`) return apiError(403, "invalid_api_key", "API key is invalid");

  const body = await readBody(req);
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    return apiError(422, "validation_error", "Body is not JSON");
  }
  const parsed = emailSchema.safeParse(json);
  if (!parsed.success) return apiError(422, "validation_error", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const email = parsed.data;
  const mail: RecordedMail = {
    id: randomUUID(),
    from: email.from,
    to: (Array.isArray(email.to) ? email.to : [email.to]).map((a) => a.toLowerCase()),
    subject: email.subject,
    text: email.text ?? "",
    html: email.html ?? "",
    receivedAt: new Date().toISOString(),
  };
  messages.unshift(mail);
  return { status: 200, body: { id: mail.id } };
}
