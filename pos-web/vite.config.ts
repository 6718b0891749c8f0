import { defineConfig } from "vite";

// No React plugin: Vite's esbuild compiles TSX with the automatic JSX runtime.
export default defineConfig({
  esbuild: { jsx: "automatic" },
  server: { port: 3000 },
  build: { outDir: "dist", sourcemap: true },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["src/test-setup.ts"],
  },
});
