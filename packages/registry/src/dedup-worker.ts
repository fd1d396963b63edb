import { parentPort } from 'node:worker_threads';
import { IndexShard, unpackTemplate, type PackedTemplates } from '@vigil/biometrics';

/**
 * Worker thread of the indexed de-duplication search (dedup-index.ts): builds one sealed
 * index shard from the templates it is sent and hands back its bytes, so a large seal or
 * merge uses another core and never pauses the enrolments on the main thread.
 */
export interface ShardBuildRequest {
  readonly entries: Uint32Array;
  readonly templates: PackedTemplates;
}

export type ShardBuildResponse =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly message: string };

const port = parentPort;
if (port !== null) {
  port.once('message', (request: ShardBuildRequest) => {
    let response: ShardBuildResponse;
    let transfer: ArrayBuffer[] = [];
    try {
      const shard = new IndexShard();
      for (let t = 0; t < request.templates.count; t++) {
        shard.add(request.entries[t]!, unpackTemplate(request.templates, t));
      }
      const bytes = shard.toBytes();
      response = { ok: true, bytes };
      transfer = [bytes.buffer as ArrayBuffer];
    } catch (e) {
      response = { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(response, transfer);
  });
}
