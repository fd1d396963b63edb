import { useEffect, useRef, useState } from 'react';
import type { BoothText } from './i18n.ts';

type DecodeQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;

/**
 * jsQR is CommonJS (`module.exports = jsQR`) with typings that declare a default export;
 * bundlers and Node disagree on where the function lands, so take it from either place.
 * Loaded only when a voter turns the camera on, to keep it out of the first page load.
 */
async function loadDecoder(): Promise<DecodeQr> {
  const loaded = (await import('jsqr')) as unknown as { default: DecodeQr | { default: DecodeQr } };
  return typeof loaded.default === 'function' ? loaded.default : loaded.default.default;
}

/** How often a video frame is examined: enough to feel instant, light on a booth's CPU. */
const SCAN_INTERVAL_MS = 200;

/**
 * Reads the ballot slip's QR code with the booth's camera (getUserMedia), decoding frames
 * in the page with jsQR: nothing leaves the booth. Calls `onText` once with what it read.
 */
export function QrScanner({ onText, t }: { onText: (text: string) => void; t: BoothText }) {
  const [scanning, setScanning] = useState(false);
  const [status, setStatus] = useState('');
  const videoRef = useRef<HTMLVideoElement>(null);
  // The latest callback and words, without restarting the camera when they change.
  const latest = useRef({ onText, t });
  useEffect(() => {
    latest.current = { onText, t };
  });

  useEffect(() => {
    if (!scanning) return;
    let stream: MediaStream | undefined;
    let timer: number | undefined;
    let stopped = false;
    const canvas = document.createElement('canvas');
    const start = async () => {
      // Absent on pages not served over HTTPS or localhost (a secure context).
      if (!('mediaDevices' in navigator)) throw new Error('no camera API');
      const decode = await loadDecoder();
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
      const video = videoRef.current;
      if (stopped || video === null) {
        // Turned off while the camera was starting: release it at once.
        for (const track of stream.getTracks()) track.stop();
        return;
      }
      video.srcObject = stream;
      await video.play();
      setStatus(latest.current.t('scanWaiting'));
      const context = canvas.getContext('2d', { willReadFrequently: true });
      timer = window.setInterval(() => {
        // Turned off while the video was starting: this timer outlived the clean-up.
        if (stopped) {
          window.clearInterval(timer);
          return;
        }
        if (context === null || video.videoWidth === 0) return;
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0);
        const frame = context.getImageData(0, 0, canvas.width, canvas.height);
        const code = decode(frame.data, frame.width, frame.height);
        if (code !== null && code.data !== '') {
          // Once only: a later frame of the same code must not spend the credential twice.
          stopped = true;
          window.clearInterval(timer);
          setStatus(latest.current.t('scanFound'));
          setScanning(false);
          latest.current.onText(code.data);
        }
      }, SCAN_INTERVAL_MS);
    };
    start().catch(() => {
      setStatus(latest.current.t('scanUnavailable'));
      setScanning(false);
    });
    return () => {
      stopped = true;
      if (timer !== undefined) window.clearInterval(timer);
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, [scanning]);

  return (
    <div className="booth-scanner">
      <button
        type="button"
        onClick={() => {
          setStatus('');
          setScanning(!scanning);
        }}
      >
        {scanning ? t('scanStop') : t('scanStart')}
      </button>
      {scanning && (
        <video
          ref={videoRef}
          className="booth-video"
          muted
          playsInline
          aria-label={t('scanVideo')}
        />
      )}
      <p role="status" className="booth-notice">
        {status}
      </p>
    </div>
  );
}
