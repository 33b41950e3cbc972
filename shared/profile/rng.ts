/** The sketches' seeded PRNG: the project's one generator, in shared/rng.ts (streams pinned there). */
export * from '../rng';
