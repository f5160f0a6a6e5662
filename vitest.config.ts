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
