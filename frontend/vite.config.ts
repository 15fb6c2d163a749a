/// <reference types="vitest/config" />
// Vite builds src/ into dist/ (served by Flask: backend/api/web.py); `npm run dev` proxies the API.
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

const API = process.env.LENDCHAIN_API ?? "http://127.0.0.1:5000";
const apiPaths = ["/chain", "/loans", "/borrowers", "/lenders", "/stats", "/auth", "/me", "/profiles",
  "/autolend", "/healthz", "/notifications"];

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 900 },
  server: { proxy: Object.fromEntries(apiPaths.map((p) => [p, API])) },
  test: { include: ["src/**/*.test.ts"], environment: "node" },
});
