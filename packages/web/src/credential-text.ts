/**
 * The one-time ballot credential as it travels from the polling station to the voting
 * booth: in a QR code or on a printed slip, as one line of text. It holds only what the
 * ballot box checks (RFC 9474 blind signature over a random token, and the election and
 * ballot style it is good for); nothing in it names the voter, and the station that made
 * it forgets it once it is handed over.
 *
 * Format: `VIGIL-BALLOT-1.<electionId>.<ballotStyleId>.<preparedMessage>.<signature>`,
 * the last two base64url without padding. Ids are restricted to [A-Za-z0-9_-] so the
 * dots separate unambiguously.
 */

export interface BallotCredentialText {
  readonly electionId: string;
  readonly ballotStyleId: string;
  /** base64 (standard, as the API takes it). */
  readonly preparedMessage: string;
  /** base64 (standard, as the API takes it). */
  readonly signature: string;
}

const PREFIX = 'VIGIL-BALLOT-1';
const ID = /^[A-Za-z0-9_-]{1,128}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;

function toUrl(base64: string): string {
  return base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromUrl(text: string): string {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return base64 + '='.repeat((4 - (base64.length % 4)) % 4);
}

export function encodeCredential(c: BallotCredentialText): string {
  if (!ID.test(c.electionId) || !ID.test(c.ballotStyleId)) {
    throw new RangeError('election and ballot style ids must be [A-Za-z0-9_-]');
  }
  return [PREFIX, c.electionId, c.ballotStyleId, toUrl(c.preparedMessage), toUrl(c.signature)].join(
    '.',
  );
}

/** The credential in `text`, or a sentence saying why it is not one. */
export function decodeCredential(
  text: string,
): { ok: true; value: BallotCredentialText } | { ok: false; message: string } {
  const parts = text.trim().split('.');
  if (parts[0] !== PREFIX) {
    return {
      ok: false,
      message: `This is not a Vigil ballot credential (it should start with ${PREFIX}). Scan the QR code or type the slip's text again.`,
    };
  }
  const [, electionId, ballotStyleId, prepared, signature] = parts;
  if (
    parts.length !== 5 ||
    electionId === undefined ||
    ballotStyleId === undefined ||
    prepared === undefined ||
    signature === undefined ||
    !ID.test(electionId) ||
    !ID.test(ballotStyleId) ||
    !B64URL.test(prepared) ||
    !B64URL.test(signature)
  ) {
    return {
      ok: false,
      message:
        'The ballot credential is damaged (a part is missing or has characters it cannot have). Scan it again, or ask a poll worker for help.',
    };
  }
  return {
    ok: true,
    value: {
      electionId,
      ballotStyleId,
      preparedMessage: fromUrl(prepared),
      signature: fromUrl(signature),
    },
  };
}
