import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The server serves dist/index.html for every dashboard page and dist/assets/ as static files.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/api': 'http://127.0.0.1:4000' } },
});
