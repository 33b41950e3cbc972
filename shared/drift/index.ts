/** Data drift between a reference profile and current data: SciPy-exact statistics, Evidently's test selection. */
export * from './special';
export * from './ks';
export * from './stats';
export * from './drift';
