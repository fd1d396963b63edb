import type { ApiResult } from '../api.ts';
import { stationToken } from '../session.tsx';

/**
 * The fingerprint scanner behind the polling station screen. A station's real scanner
 * (a USB device driven through a local service) will be one more implementation of this
 * interface; today there are two: an image file chosen from disk, and, on a demo server,
 * the demo scanner, which hands over fresh synthetic impressions of any demo voter's
 * fingers (so a poll worker can also try an impostor's finger).
 */

/** One captured fingerprint image, as the check-in route takes it. */
export interface FingerprintImage {
  /** The image file's bytes (PNG, TIFF or BMP). */
  readonly bytes: Uint8Array;
  /** For the preview (`image/png`…). */
  readonly mediaType: string;
  /** What was captured, said for the poll worker (e.g. "demo-0003, right index, impression 4"). */
  readonly description: string;
}

export interface FingerprintScanner {
  /** Shown on the screen; a demo device says so. */
  readonly label: string;
  readonly demo: boolean;
  capture(signal?: AbortSignal): Promise<ApiResult<FingerprintImage>>;
}

/** ISO/IEC 19794-2 finger positions a station asks for. */
export const FINGER_NAMES: Readonly<Record<number, string>> = {
  1: 'right thumb',
  2: 'right index finger',
  3: 'right middle finger',
  4: 'right ring finger',
  5: 'right little finger',
  6: 'left thumb',
  7: 'left index finger',
  8: 'left middle finger',
  9: 'left ring finger',
  10: 'left little finger',
};

function mediaTypeOf(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
    return 'image/png';
  }
  if ((bytes[0] === 0x49 && bytes[1] === 0x49) || (bytes[0] === 0x4d && bytes[1] === 0x4d)) {
    return 'image/tiff';
  }
  if (bytes[0] === 0x42 && bytes[1] === 0x4d) return 'image/bmp';
  return undefined;
}

/** A scanner that "captures" an image file chosen by the poll worker. */
export function fileScanner(file: File): FingerprintScanner {
  return {
    label: 'Fingerprint image file',
    demo: false,
    async capture() {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const mediaType = mediaTypeOf(bytes);
      if (mediaType === undefined) {
        return {
          ok: false,
          problem: {
            title: 'Not a fingerprint image',
            detail: `${file.name} is not a PNG, TIFF or BMP image.`,
            hint: 'Choose the image file the scanner saved (500 dpi grayscale).',
          },
        };
      }
      return { ok: true, value: { bytes, mediaType, description: file.name } };
    },
  };
}

/**
 * The demo scanner: impression `impression` of finger `finger` of demo voter `voterId`,
 * rendered by the server (`GET /api/demo/fingerprints/...`) from the demo's seed.
 */
export function demoScanner(
  scan: {
    readonly voterId: string;
    readonly voterName: string;
    readonly finger: number;
    readonly impression: number;
  },
  /** The session's bearer token (the image is not JSON, so callApi does not fit). */
  sessionToken: string,
): FingerprintScanner {
  return {
    label: 'Demo scanner (synthetic fingerprints)',
    demo: true,
    async capture(signal) {
      const station = stationToken();
      let response: Response;
      try {
        response = await fetch(
          `/api/demo/fingerprints/${encodeURIComponent(scan.voterId)}/${scan.finger}/${scan.impression}`,
          {
            headers: {
              accept: 'image/png, application/problem+json',
              authorization: `Bearer ${sessionToken}`,
              ...(station === undefined ? {} : { 'vigil-station-token': station }),
            },
            ...(signal === undefined ? {} : { signal }),
          },
        );
      } catch (error) {
        if (signal?.aborted === true) throw error;
        return {
          ok: false,
          problem: {
            title: 'The demo scanner could not be reached',
            detail: 'Check that the server is running, then scan again.',
          },
        };
      }
      if (!response.ok) {
        const body = (await response.json().catch(() => undefined)) as
          { title: string; detail: string; hint?: string } | undefined;
        return {
          ok: false,
          problem: body ?? {
            title: 'The demo scanner failed',
            detail: `The server answered ${response.status}.`,
          },
        };
      }
      return {
        ok: true,
        value: {
          bytes: new Uint8Array(await response.arrayBuffer()),
          mediaType: 'image/png',
          description: `${scan.voterName} (${scan.voterId}), ${FINGER_NAMES[scan.finger] ?? `finger ${scan.finger}`}, impression ${scan.impression}`,
        },
      };
    },
  };
}
