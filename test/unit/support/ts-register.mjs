// `node --import ./test/unit/support/ts-register.mjs child.ts`: run TypeScript sources directly.
import { register } from "node:module";

register("./ts-hooks.mjs", import.meta.url);
