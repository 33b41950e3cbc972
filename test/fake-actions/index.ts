export { startAzurite, DEV_ACCOUNT_NAME, DEV_ACCOUNT_KEY, type Azurite, type AzuriteOptions } from './azurite';
export {
  startResultsService,
  matchCache,
  SAS_VERSION,
  type ResultsService,
  type ResultsServiceOptions,
  type JobEnvOptions,
  type ArtifactRecord,
  type CacheEntryRecord,
  type TwirpCall,
  type Violation,
} from './results-service';
export { runClients, valueOf, type ClientOp, type ClientResult, type ClientRun } from './clients';
export { decodeMessage, TwirpError, ArtifactMessages, CacheMessages, ARTIFACT_SERVICE, CACHE_SERVICE } from './twirp';
