import { parentPort } from 'node:worker_threads';
import { checkDecrypted, checkEncryptedBallot } from './checks.ts';
import type { WorkerRequest, WorkerResponse } from './pool.ts';

/** Worker thread of the verifier: runs the pure per-item checks of checks.ts. */
const port = parentPort;
if (port !== null) {
  port.on('message', (request: WorkerRequest) => {
    let response: WorkerResponse;
    try {
      response =
        request.kind === 'ballot'
          ? {
              id: request.id,
              kind: 'ballot',
              result: checkEncryptedBallot(request.ctx, request.ballot, request.limits),
            }
          : {
              id: request.id,
              kind: 'decrypted',
              result: checkDecrypted(request.ctx, request.decrypted),
            };
    } catch (e) {
      response = {
        id: request.id,
        kind: 'error',
        message: e instanceof Error ? e.message : String(e),
      };
    }
    port.postMessage(response);
  });
}
