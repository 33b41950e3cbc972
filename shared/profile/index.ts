/** Mergeable column sketches and the versioned reference profile. See profile.ts for the JSON shape. */
export * from './rng';
export * from './hash';
export * from './kll';
export * from './hll';
export * from './topk';
export * from './reservoir';
export * from './profile';
