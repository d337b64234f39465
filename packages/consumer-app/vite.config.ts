import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  // Relative asset URLs: the same dist/ works at a domain root (CloudFront)
  // or under a sub-path.
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  // localhost:3001 is the origin the portal backend allows by default (CORS).
  server: { port: 3001, strictPort: true },
  preview: { port: 3001, strictPort: true },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
