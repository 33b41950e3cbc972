export * from './server';
export { loadSpec, Spec, type SpecOperation } from './spec';
export { validate, isValid, type Schema } from './validate';
