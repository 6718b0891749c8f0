import { defineConfig } from "vite";

// No React plugin: Vite's esbuild compiles TSX with the automatic JSX runtime.
export default defineConfig({
  esbuild: { jsx: "automatic" },
  server: { port: 3000 },
  build: {
    outDir: "dist",
    sourcemap: true,
    rollupOptions: {
      // TanStack Query marks its hooks "use client" for server-component bundlers; this app has no server
      // components, so the directive means nothing here, and Rollup's warning for each file (and its failed attempt
      // to place that warning in the source map) is noise.
      onwarn(warning, warn) {
        if (warning.code === "MODULE_LEVEL_DIRECTIVE" || warning.code === "SOURCEMAP_ERROR" && /use client|original location/i.test(warning.message)) return;
        warn(warning);
      },
    },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["src/test-setup.ts"],
  },
});
