import { describe, expect, it } from "vitest";
import { ACTION_BODY_LIMIT, checkActionRequest, checkFormPost, checkReplyJson } from "./action-body";

const post = (type: string, body: string, headers: Record<string, string> = {}) => new Request("http://localhost/login", { method: "POST", headers: { "content-type": type, ...headers }, body });
const multipart = (fields: [string, string][]) =>
  post("multipart/form-data; boundary=B", `${fields.map(([k, v]) => `--B\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("")}--B--\r\n`);
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
