import { describe, expect, it } from "vitest";
import { formText } from "./form-data";

describe("formText", () => {
  it("reads string fields of a FormData", () => {
    const data = new FormData();
    data.set("name", "Ada");
    data.set("file", new Blob(["x"]));
    expect(formText(data, "name")).toBe("Ada");
    expect(formText(data, "file")).toBe("");
    expect(formText(data, "missing")).toBe("");
  });

  it.each([undefined, null, 42, "name=Ada", { get: () => "Ada" }, []])("reads %j as empty", (value) => {
    expect(formText(value, "name")).toBe("");
  });
});
