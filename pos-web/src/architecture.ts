// The import rules that keep the layout honest: app -> features -> lib, and a feature reaches another only through
// that feature's index.ts, with no cycle between features. Checked over the source text by architecture.test.ts.

export interface Violation {
  file: string;
  imports: string;
  rule: string;
}

type Layer = { kind: "app" } | { kind: "lib" } | { kind: "feature"; name: string; index: boolean } | { kind: "other" };

function layerOf(path: string): Layer {
  const parts = path.split("/");
  if (parts[0] === "app") return { kind: "app" };
  if (parts[0] === "lib") return { kind: "lib" };
  if (parts[0] === "features" && parts.length >= 2) {
    const rest = parts.slice(2).join("/");
    return { kind: "feature", name: parts[1], index: rest === "" || rest === "index" || rest === "index.ts" };
  }
  return { kind: "other" };
}

/** Resolves a relative import against the importing file's folder; paths are relative to src/, without "./". */
export function resolve(from: string, specifier: string): string {
  const out = from.split("/").slice(0, -1);
  for (const part of specifier.split("/")) {
    if (part === "..") out.pop();
    else if (part !== ".") out.push(part);
  }
  return out.join("/");
}

function relativeImports(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+["'](\.[^"']*)["']|import\s+["'](\.[^"']*)["']/g)) {
    found.push(m[1] ?? m[2]);
  }
  return found;
}

/** Every broken rule in the given sources (path relative to src/ -> text). */
export function violations(sources: Record<string, string>): Violation[] {
  const broken: Violation[] = [];
  const edges = new Map<string, Set<string>>();
  for (const [file, text] of Object.entries(sources)) {
    const from = layerOf(file);
    for (const spec of relativeImports(text)) {
      const target = resolve(file, spec);
      const to = layerOf(target);
      const flag = (rule: string) => broken.push({ file, imports: spec, rule });
      if (from.kind === "lib" && (to.kind === "feature" || to.kind === "app")) flag("lib imports no feature and no app code");
      if (from.kind === "feature" && to.kind === "app") flag("features import no app code");
      if (to.kind === "feature" && !to.index && !(from.kind === "feature" && from.name === to.name)) {
        flag(`other code reaches features/${to.name} only through its index.ts`);
      }
      if (from.kind === "feature" && to.kind === "feature" && from.name !== to.name) {
        if (!edges.has(from.name)) edges.set(from.name, new Set());
        edges.get(from.name)!.add(to.name);
      }
    }
  }
  const done = new Set<string>();
  const visit = (name: string, path: string[]) => {
    if (path.includes(name)) {
      broken.push({ file: `features/${name}`, imports: path.slice(path.indexOf(name)).concat(name).join(" -> "), rule: "features import each other without cycles" });
      return;
    }
    if (done.has(name)) return;
    for (const next of edges.get(name) ?? []) visit(next, [...path, name]);
    done.add(name);
  };
  for (const name of edges.keys()) visit(name, []);
  return broken;
}
