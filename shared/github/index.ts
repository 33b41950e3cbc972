/** GitHub REST helpers for the actions (the only place besides shared/runtime that talks to Octokit). */
export * from './client';
export * from './body';
export * from './comments';
export * from './checks';
export * from './pulls';
export * from './issues';
export * from './dispatch';
export * from './deployments';
