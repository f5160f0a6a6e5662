#!/usr/bin/env node
// `npx convlab …`: the command line is built into kernel/dist (npm run build).
import "../dist/cli.js";
