import { defineConfig } from 'vite';
import { resolve } from 'node:path';

// Two pages: the console (index.html) and the GraphiQL playground
// (playground.html), so GraphiQL stays out of the console's first load.
export default defineConfig({
  // Preact's JSX for the console; the playground is React (GraphiQL) and
  // written without JSX.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No data: URIs: the Content-Security-Policy is default-src 'self'.
    assetsInlineLimit: 0,
    // The committed build must be byte-identical when rebuilt from the lockfile.
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      // GraphiQL's dependencies mark themselves "use client", which means
      // nothing outside React Server Components.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      input: {
        console: resolve(import.meta.dirname, 'index.html'),
        playground: resolve(import.meta.dirname, 'playground.html'),
      },
    },
  },
  server: {
    proxy: { '/graphql': 'http://127.0.0.1:8080', '/export': 'http://127.0.0.1:8080' },
  },
});
