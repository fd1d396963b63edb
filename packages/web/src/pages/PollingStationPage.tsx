import { SignInGate } from '../session.tsx';
import { StationDesk } from '../station/StationDesk.tsx';

/**
 * The polling station (issue 11 part 1): a poll worker or supervisor, signed in on an
 * authenticated station, finds the voter, confirms them by fingerprint (or a supervised
 * override), and hands over the one-time ballot credential.
 */
export function PollingStationPage() {
  return (
    <div className="station">
      <h1 tabIndex={-1}>Polling station</h1>
      <SignInGate
        purpose="Check voters in at this polling station. Poll workers and supervisors sign in on the station's device, with its station token."
        roles={['poll_worker', 'supervisor']}
        station
      >
        {(session) => <StationDesk session={session} />}
      </SignInGate>
    </div>
  );
}
