import { describe, expect, it } from "vitest";
import { violations } from "./architecture";

// The production and test sources as text (generated code aside), keyed by their path under src/.
const files = import.meta.glob(["./**/*.ts", "./**/*.tsx", "!./gen/**"], { query: "?raw", import: "default", eager: true }) as
  Record<string, string>;
const sources = Object.fromEntries(Object.entries(files).map(([path, text]) => [path.slice(2), text]));

describe("layout", () => {
  it("finds the sources", () => {
    expect(Object.keys(sources)).toContain("app/App.tsx");
    expect(Object.keys(sources)).toContain("features/cart/store.ts");
  });

  it("imports flow app -> features -> lib, and a feature reaches another only through its index, without cycles", () => {
    expect(violations(sources)).toEqual([]);
  });

  it("gives every feature an index.ts", () => {
    const features = new Set(Object.keys(sources).filter((p) => p.startsWith("features/")).map((p) => p.split("/")[1]));
    expect([...features].filter((f) => !(`features/${f}/index.ts` in sources))).toEqual([]);
  });

  it("keeps every production file under 500 lines", () => {
    const long = Object.entries(sources).filter(([p, text]) => !p.endsWith(".test.ts") && text.split("\n").length > 500);
    expect(long.map(([p]) => p)).toEqual([]);
  });

  it("catches an import of another feature's internals, a lib importing a feature, and a cycle", () => {
    const found = violations({
      "features/a/A.tsx": 'import { b } from "../b/internal";\nimport { c } from "../c";',
      "features/c/index.ts": 'export { a } from "../a";',
      "features/a/index.ts": 'export { A } from "./A";',
      "lib/money.ts": 'import { useCart } from "../features/cart";',
    });
    expect(found.map((v) => v.rule)).toEqual([
      "other code reaches features/b only through its index.ts",
      "lib imports no feature and no app code",
      "features import each other without cycles",
    ]);
  });
});
