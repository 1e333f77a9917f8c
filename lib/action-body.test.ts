import { describe, expect, it } from "vitest";
import { ACTION_BODY_LIMIT, checkActionRequest, checkFormPost, checkReplyJson } from "./action-body";

const post = (type: string, body: string, headers: Record<string, string> = {}) => new Request("http://localhost/login", { method: "POST", headers: { "content-type": type, ...headers }, body });
/** A multipart body; a field's third element adds to its part's headers. */
const multipart = (fields: ([string, string] | [string, string, string])[]) =>
  post("multipart/form-data; boundary=B", `${fields.map(([k, v, extra = ""]) => `--B\r\nContent-Disposition: form-data; name="${k}"${extra}\r\n\r\n${v}\r\n`).join("")}--B--\r\n`);
/** Part headers that make a file for undici, for busboy, or that our clients never send. */
const FILE_PARTS = ['; filename="a.txt"\r\nContent-Type: text/plain', '; filename=""', "; filename*=UTF-8''a.txt", "\r\nContent-Type: application/octet-stream", "\r\nContent-Type: text/plain", "\r\nContent-Transfer-Encoding: base64"];
const args = { formDataRefs: false, argumentList: true };

describe("checkReplyJson", () => {
  it("accepts what encodeReply writes for our actions: plain JSON, escaped strings, $undefined", () => {
    expect(checkReplyJson('["discoverable"]', args)).toEqual({ ok: true });
    expect(checkReplyJson('[{"id":"abc","response":{"userHandle":"$undefined"}},"$$literal"]', args)).toEqual({ ok: true });
  });

  it.each(["$@0", "$Q1", "$W1", "$K1", "$F1", "$T", "$1", "$B0", "$R0", "$n9"])("refuses the Flight reference %s anywhere in the arguments", (ref) => {
    expect(checkReplyJson(JSON.stringify([ref]), args)).toMatchObject({ ok: false, status: 400 });
    expect(checkReplyJson(JSON.stringify([{ a: [{ b: ref }] }]), args)).toMatchObject({ ok: false, status: 400 });
  });

  it("refuses deep nesting without overflowing its own stack, and arguments that aren't a list", () => {
    expect(checkReplyJson(`${"[".repeat(100_000)}${"]".repeat(100_000)}`, args)).toMatchObject({ ok: false, status: 400 });
    expect(checkReplyJson('{"a":1}', args)).toMatchObject({ ok: false, status: 400 });
    expect(checkReplyJson("not json", args)).toMatchObject({ ok: false, status: 400 });
  });
});

describe("checkActionRequest", () => {
  it("lets a form's multipart call through, with its FormData reference", async () => {
    expect(await checkActionRequest(multipart([["0", '[{},"$K1"]'], ["1_code", "123456"]]))).toEqual({ ok: true });
  });

  it("refuses broken multipart, references in fields, and bodies over the limit", async () => {
    expect(await checkActionRequest(post("multipart/form-data; boundary=X", "--Y\r\n"))).toMatchObject({ status: 400 });
    expect(await checkActionRequest(multipart([["0", '["$@1"]'], ["1", "x"]]))).toMatchObject({ status: 400 });
    expect(await checkActionRequest(multipart([["0", JSON.stringify(["x".repeat(ACTION_BODY_LIMIT)])]]))).toMatchObject({ status: 413 });
    expect(await checkActionRequest(post("text/plain", JSON.stringify(["x".repeat(ACTION_BODY_LIMIT)])))).toMatchObject({ status: 413 });
    expect(await checkActionRequest(post("application/json", "[]"))).toMatchObject({ status: 400 });
  });
});

describe("file parts", () => {
  it.each(FILE_PARTS)("are refused as the argument list, as a form field, and after a plain field (%j)", async (file) => {
    expect(await checkActionRequest(multipart([["0", '["discoverable"]', file]]))).toMatchObject({ ok: false, status: 400 });
    expect(await checkActionRequest(multipart([["0", '[{},"$K1"]'], ["1_code", "123456", file]]))).toMatchObject({ ok: false, status: 400 });
    expect(await checkActionRequest(multipart([["0", '[{},"$K1"]'], ["1_code", "123456"], ["1_other", "x", file]]))).toMatchObject({ ok: false, status: 400 });
  });

  it.each(FILE_PARTS)("are refused in a form posted before hydration, wherever they are (%j)", async (file) => {
    const id = "ab".repeat(21);
    expect(await checkFormPost(multipart([[`$ACTION_ID_${id}`, "", file], ["code", "123456"]]))).toMatchObject({ ok: false, status: 400 });
    expect(await checkFormPost(multipart([[`$ACTION_ID_${id}`, ""], ["code", "123456", file]]))).toMatchObject({ ok: false, status: 400 });
    expect(await checkFormPost(multipart([["$ACTION_REF_1", ""], ["$ACTION_1:0", `{"id":"${id}","bound":"$@1"}`, file], ["$ACTION_1:1", "[{}]"]]))).toMatchObject({ ok: false, status: 400 });
  });

  it("are refused however the boundary is quoted, and a part without headers too", async () => {
    const body = `--Q\r\nContent-Disposition: form-data; name="0"; filename="a"\r\n\r\n[]\r\n--Q--\r\n`;
    expect(await checkActionRequest(post('multipart/form-data; boundary="Q"', body))).toMatchObject({ ok: false, status: 400 });
    expect(await checkActionRequest(post("multipart/form-data; boundary=B", "--B\r\n\r\n[]\r\n--B--\r\n"))).toMatchObject({ ok: false, status: 400 });
  });

  it("leave what browsers send for a FormData of strings alone: one Content-Disposition per part, any case, a quoted boundary", async () => {
    expect(await checkActionRequest(post('multipart/form-data; boundary="----WebKitFormBoundaryX"', '------WebKitFormBoundaryX\r\ncontent-disposition: form-data; name="0"\r\n\r\n["discoverable"]\r\n------WebKitFormBoundaryX--\r\n'))).toEqual({ ok: true });
    expect(await checkFormPost(multipart([[`$ACTION_ID_${"ab".repeat(21)}`, ""], ["code", "a value\r\nContent-Type: text/plain\r\n\r\nthat looks like headers"]]))).toEqual({ ok: true });
  });
});

describe("checkFormPost", () => {
  it("accepts a form posted before hydration, refuses forged action fields", async () => {
    expect(await checkFormPost(multipart([[`$ACTION_ID_${"ab".repeat(21)}`, ""], ["code", "123456"]]))).toEqual({ ok: true });
    expect(await checkFormPost(multipart([["$ACTION_ID_zz!", ""]]))).toMatchObject({ status: 400 });
    // A useActionState form before hydration: its bound state in the field "$@1" points at.
    const id = "ab".repeat(21);
    expect(await checkFormPost(multipart([["$ACTION_REF_1", ""], ["$ACTION_1:0", `{"id":"${id}","bound":"$@1"}`], ["$ACTION_1:1", "[{}]"], ["$ACTION_KEY", "k0"], ["identifier", "ada"]]))).toEqual({ ok: true });
    for (const forged of ['{"bound":"$@1"}', `{"id":"${id}","bound":"$@2"}`, `{"id":"${id}","bound":"$@0"}`, `{"id":"${id}","bound":"$Q1"}`, `{"id":"${id}","bound":["$@1"]}`, `{"id":"${id}","bound":"$@1","x":1}`, "[]", "nope"]) {
      expect(await checkFormPost(multipart([["$ACTION_REF_1", ""], ["$ACTION_1:0", forged], ["$ACTION_1:1", "[{}]"]])), forged).toMatchObject({ status: 400 });
    }
    expect(await checkFormPost(multipart([["$ACTION_1:0", `{"id":"${id}","bound":"$@1"}`], ["$ACTION_1:1", '["$@0"]']]))).toMatchObject({ status: 400 });
    expect(await checkFormPost(post("text/plain", "anything"))).toEqual({ ok: true });
  });
});
