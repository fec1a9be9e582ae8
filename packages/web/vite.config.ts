import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The server serves dist/index.html for every dashboard page and dist/assets/ as static files
// (immutable: every name carries its content hash).
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        // The overview's first render needs React and the app's own code only. React gets a chunk
        // of its own (it changes less often than the app, so a browser keeps it across releases);
        // the chart library and the rest of node_modules another, loaded when a chart is drawn.
        // Every page but the overview is its own chunk too (React.lazy in main.tsx).
        codeSplitting: {
          groups: [
            {
              name: 'react',
              test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/,
              priority: 2,
            },
            { name: 'charts', test: /node_modules[\\/]/, priority: 1 },
          ],
        },
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:4000' } },
});
