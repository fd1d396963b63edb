import { parentPort } from 'node:worker_threads';
import { bestScore, type MatchRequest, type MatchResponse } from './match-pool.ts';

/** Worker thread of the check-in match pool (match-pool.ts): one 1:1 comparison per request. */
const port = parentPort;
if (port !== null) {
  port.on('message', (request: MatchRequest) => {
    let response: MatchResponse;
    try {
      response = {
        id: request.id,
        ok: true,
        score: bestScore(request.probe, request.enrolled, request.threshold),
      };
    } catch (e) {
      response = { id: request.id, ok: false, message: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(response);
  });
  const ready: MatchResponse = { ready: true };
  port.postMessage(ready);
}
