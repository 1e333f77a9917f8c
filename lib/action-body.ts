/**
 * Checks a server-action request's body before Next.js decodes it. Next answers a body its
 * decoder chokes on (a Flight reference such as "$@1" or "$Q1" in an argument, nesting deep
 * enough to overflow the stack, a broken multipart body, one over the size limit) with a 500;
 * our clients never send such bodies, so they are refused here with a 4xx instead.
 *
 * What our clients do send (React's encodeReply): JSON whose strings starting with "$" are either
 * escaped ("$$…"), "$undefined", or, in a multipart body, "$K<n>" pointing at a FormData's fields.
 */
export const ACTION_BODY_LIMIT = 1024 * 1024;
const MAX_DEPTH = 32;

export type BodyVerdict = { ok: true } | { ok: false; status: 400 | 413; reason: string };

type Refusal = Extract<BodyVerdict, { ok: false }>;
const refused = (status: 400 | 413, reason: string): Refusal => ({ ok: false, status, reason });

/** A request with a Next-Action header (a fetch from the page's JavaScript). */
export async function checkActionRequest(request: Request): Promise<BodyVerdict> {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  const tooLarge = declaredTooLarge(request);
  if (tooLarge) return tooLarge;
  if (type.startsWith("multipart/form-data")) return checkMultipart(request, (name) => /^\d+$/.test(name), { formDataRefs: true, argumentList: false });
  if (type.startsWith("text/plain")) {
    const body = await request.clone().text();
    if (body.length > ACTION_BODY_LIMIT) return refused(413, "Request too large.");
    return checkReplyJson(body, { formDataRefs: false, argumentList: true });
  }
  return refused(400, "Malformed request.");
}

/**
 * A POST without Next-Action: a form submitted before the page's JavaScript ran. A form with
 * bound arguments (useActionState's previous state) sends "$ACTION_<n>:0" = {"id":…,"bound":"$@<k>"}
 * and the arguments in "$ACTION_<n>:<k>": that one reference is allowed, to a field that exists.
 */
export async function checkFormPost(request: Request): Promise<BodyVerdict> {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  if (!type.startsWith("multipart/form-data") && !type.startsWith("application/x-www-form-urlencoded")) return { ok: true };
  const tooLarge = declaredTooLarge(request);
  if (tooLarge) return tooLarge;
  const form = await readForm(request);
  if (!form.ok) return form;
  for (const [name, value] of form.data) {
    if (!checkActionFieldName(name)) return refused(400, "Malformed request.");
    const field = /^\$ACTION_(\d+):(\d+)$/.exec(name);
    if (!field || typeof value !== "string") continue;
    const verdict = field[2] === "0" ? checkBoundAction(value, (k) => k !== "0" && form.data.has(`$ACTION_${field[1]}:${k}`)) : checkReplyJson(value, { formDataRefs: false, argumentList: false });
    if (!verdict.ok) return verdict;
  }
  return { ok: true };
}

/** The action reference of a no-JavaScript form: its id, and its bound arguments as "$@<k>" (or null). */
function checkBoundAction(body: string, fieldExists: (k: string) => boolean): BodyVerdict {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return refused(400, "Malformed request.");
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return refused(400, "Malformed request.");
  const { id, bound, ...rest } = value as Record<string, unknown>;
  if (typeof id !== "string" || Object.keys(rest).length) return refused(400, "Malformed request.");
  if (bound === null || bound === undefined) return { ok: true };
  const ref = typeof bound === "string" ? /^\$@(\d{1,3})$/.exec(bound) : null;
  return ref && fieldExists(ref[1]!) ? { ok: true } : refused(400, "Malformed request.");
}

/**
 * The body's fields, all of them strings. The app takes no uploads, and a file part is what Next's
 * decoders break on (a file in the argument list ends the request with a 500), so any part that
 * isn't a plain named field is refused: undici's parser (used here, and by Next for no-JavaScript
 * forms) makes a File of a part with a filename; busboy (Next's, for fetched actions) also of one
 * with "filename*" or Content-Type: application/octet-stream. Our clients' bodies have one header
 * per part, so nothing but that one plain header is let through.
 */
async function readForm(request: Request): Promise<{ ok: true; data: FormData } | Refusal> {
  const bytes = await request.clone().arrayBuffer();
  if (bytes.byteLength > ACTION_BODY_LIMIT) return refused(413, "Request too large.");
  const type = request.headers.get("content-type") ?? "";
  if (type.toLowerCase().startsWith("multipart/form-data") && !onlyPlainParts(new TextDecoder("latin1").decode(bytes), type)) return refused(400, FILE_REFUSED);
  let data: FormData;
  try {
    data = await new Request("http://body.invalid", { method: "POST", headers: { "content-type": type }, body: bytes }).formData();
  } catch {
    return refused(400, "Malformed request.");
  }
  for (const value of data.values()) if (typeof value !== "string") return refused(400, FILE_REFUSED);
  return { ok: true, data };
}

const FILE_REFUSED = "File uploads are not accepted.";

/** Whether every part of a multipart body has exactly one header: Content-Disposition: form-data; name="…". */
function onlyPlainParts(body: string, contentType: string): boolean {
  const boundary = /;\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  if (!boundary) return false;
  // Delimiters start a line (RFC 2046); the first may open the body.
  const parts = `\r\n${body}`.split(`\r\n--${boundary[1] ?? boundary[2]}`).slice(1);
  for (const part of parts) {
    if (part.startsWith("--")) return true;
    const headers = /^[ \t]*\r\n([\s\S]*?)\r\n\r\n/.exec(part)?.[1];
    if (headers === undefined || !/^content-disposition:[ \t]*form-data;[ \t]*name="[^"\r\n]*"[ \t]*$/i.test(headers)) return false;
  }
  return false;
}

function declaredTooLarge(request: Request): Refusal | null {
  const length = Number(request.headers.get("content-length") ?? 0);
  return length > ACTION_BODY_LIMIT ? refused(413, "Request too large.") : null;
}

async function checkMultipart(request: Request, isReplyField: (name: string) => boolean, rules: ReplyRules): Promise<BodyVerdict> {
  const form = await readForm(request);
  if (!form.ok) return form;
  for (const [name, value] of form.data) {
    if (typeof value === "string" && isReplyField(name)) {
      // Field "0" is the argument list itself; others are its parts.
      const verdict = checkReplyJson(value, { ...rules, argumentList: rules.formDataRefs && name === "0" });
      if (!verdict.ok) return verdict;
    }
  }
  return { ok: true };
}

/** Next's no-JavaScript form fields: the action's id, and the bound arguments' references. */
function checkActionFieldName(name: string): boolean {
  return !name.startsWith("$ACTION") || /^\$ACTION_(ID_[0-9a-f]{2,128}|REF_\d{1,3}|KEY|\d{1,3}:\d{1,3})$/.test(name);
}

type ReplyRules = {
  /** "$K<n>" may point at FormData fields (multipart bodies only). */
  formDataRefs: boolean;
  /** The value is the whole argument list, which must be an array. */
  argumentList: boolean;
};

/** JSON as encodeReply writes it: no Flight references but the ones our clients use, shallow. */
export function checkReplyJson(body: string, rules: ReplyRules): BodyVerdict {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return refused(400, "Malformed request.");
  }
  if (rules.argumentList && !Array.isArray(value)) return refused(400, "Malformed request.");
  // Iterative, so checking deep nesting can't overflow the stack itself.
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (depth > MAX_DEPTH) return refused(400, "Malformed request.");
    if (typeof node === "string") {
      if (node.startsWith("$") && !node.startsWith("$$") && node !== "$undefined" && !(rules.formDataRefs && /^\$K[0-9a-f]{1,8}$/.test(node))) {
        return refused(400, "Malformed request.");
      }
    } else if (Array.isArray(node)) {
      for (const item of node) stack.push([item, depth + 1]);
    } else if (node && typeof node === "object") {
      for (const item of Object.values(node)) stack.push([item, depth + 1]);
    }
  }
  return { ok: true };
}
