// Types of bench/host.mjs, for the TypeScript half of a benchmark (evaluate-pipeline.ts).
export function stealSeconds(): number;
export function stealNote(seconds: number): string;
