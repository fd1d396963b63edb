export {
  MAX_PROOF_LINES,
  MAX_SUBMISSION_BYTES,
  buildWitnessServer,
  parseAddCheckpoint,
  type AddCheckpointRequest,
  type WitnessServerOptions,
} from './server.ts';
export { loadWitnessState, saveWitnessState, type WitnessState } from './state.ts';
