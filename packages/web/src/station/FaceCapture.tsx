import { useEffect, useId, useRef, useState } from 'react';

type CameraState =
  | { kind: 'off' }
  | { kind: 'starting' }
  | { kind: 'live'; stream: MediaStream }
  | { kind: 'unavailable'; why: string }
  | { kind: 'taken'; photo: string };

/**
 * An optional face photo from the station's webcam (getUserMedia). A station without a
 * camera, or whose camera is refused, goes on with the fingerprint alone. The photo is
 * kept on this screen only, for the officials to look at, until the next voter: the
 * registry's check-in compares fingerprints, and takes no face.
 */
export function FaceCapture() {
  const [state, setState] = useState<CameraState>({ kind: 'off' });
  const video = useRef<HTMLVideoElement>(null);
  const headingId = useId();

  useEffect(() => {
    if (state.kind !== 'live') return;
    if (video.current !== null) video.current.srcObject = state.stream;
    return () => {
      for (const track of state.stream.getTracks()) track.stop();
    };
  }, [state]);

  const start = async () => {
    // Typed as always there, but missing outside a secure context and on some devices.
    const devices = navigator.mediaDevices as MediaDevices | undefined;
    if (devices === undefined) {
      setState({ kind: 'unavailable', why: 'This browser or device has no camera access.' });
      return;
    }
    setState({ kind: 'starting' });
    try {
      const stream = await devices.getUserMedia({ video: true, audio: false });
      setState({ kind: 'live', stream });
    } catch (error) {
      setState({
        kind: 'unavailable',
        why:
          error instanceof DOMException && error.name === 'NotAllowedError'
            ? 'Camera access was refused.'
            : 'No camera was found.',
      });
    }
  };

  const take = () => {
    const v = video.current;
    if (v === null || state.kind !== 'live') return;
    const canvas = document.createElement('canvas');
    canvas.width = v.videoWidth || 640;
    canvas.height = v.videoHeight || 480;
    canvas.getContext('2d')?.drawImage(v, 0, 0, canvas.width, canvas.height);
    setState({ kind: 'taken', photo: canvas.toDataURL('image/jpeg', 0.85) });
  };

  return (
    <section className="station-step face-capture" aria-labelledby={headingId}>
      <h3 id={headingId}>Face photo (optional)</h3>
      {state.kind === 'off' && (
        <button type="button" className="secondary" onClick={() => void start()}>
          Start the camera
        </button>
      )}
      {state.kind === 'starting' && <p role="status">Starting the camera…</p>}
      {state.kind === 'unavailable' && (
        <p role="status">{state.why} Continue with the fingerprint alone.</p>
      )}
      {state.kind === 'live' && (
        <>
          <video ref={video} autoPlay muted playsInline aria-label="Camera preview" />
          <button type="button" onClick={take}>
            Take the photo
          </button>
        </>
      )}
      {state.kind === 'taken' && (
        <>
          <img className="face-photo" src={state.photo} alt="Face photo taken at this station" />
          <p className="field-hint">
            Kept on this screen only, until the next voter; the check-in itself matches the
            fingerprint.
          </p>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setState({ kind: 'off' });
            }}
          >
            Discard the photo
          </button>
        </>
      )}
    </section>
  );
}
