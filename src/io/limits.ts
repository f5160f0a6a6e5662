// Node: no single allocation may exceed the machine's memory (it could never fit; V8 would throw
// a bare RangeError or the process would be killed), so sizes are checked against it first.
import { totalmem } from "node:os";
import { setMaxAllocationBytes } from "../util/limits.js";

setMaxAllocationBytes(totalmem());
