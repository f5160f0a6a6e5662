// `cl.data.synthetic`: the seeded synthetic data sets under one name — detection scenes and
// landmarks (scenes.ts), ECG-like beats and 3-D shape volumes (synthetic.ts).
export * from "./scenes.js";
export * from "./synthetic.js";
