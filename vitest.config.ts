import { defineConfig } from "vitest/config";

// One project per suite; `npm test` runs them one after another (scripts/test.mjs).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          environment: "node",
          include: ["test/unit/**/*.test.ts", "src/**/*.test.ts"],
          testTimeout: 60_000,
        },
      },
      {
        // the plain-SIMD kernels (no relaxed-SIMD fused multiply-add): the kernel comparisons and
        // thread bit-identity again on the module Node falls back to where relaxed SIMD is absent
        test: {
          name: "simd",
          environment: "node",
          include: ["test/unit/kernels/wasm-*.test.ts", "test/unit/train/step-threads.test.ts", "test/unit/ops/conv-fused.test.ts", "test/unit/ops/dense-fused.test.ts"],
          env: { CONVLAB_WASM_RELAXED: "0" },
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "extension",
          environment: "jsdom",
          include: ["extension/test/**/*.test.ts"],
          setupFiles: ["extension/test/setup.ts"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "kernel",
          environment: "node",
          include: ["test/kernel/**/*.test.ts", "kernel/src/**/*.test.ts"],
          testTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "notebooks",
          environment: "node",
          include: ["test/notebooks/**/*.test.ts"],
          testTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "e2e",
          environment: "node",
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 300_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
