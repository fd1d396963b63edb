import { useEffect, useRef } from 'react';
import { ComingSoonPage, NotFoundPage } from './pages/ComingSoonPage.tsx';
import { ElectionPage } from './pages/ElectionPage.tsx';
import { Link, usePath } from './router.tsx';

interface Screen {
  path: string;
  label: string;
  /** Set for screens not built yet: what the screen will do. */
  comingSoon?: string;
}

/** The screens of Vigil, in the order a election day runs through them. */
export const SCREENS: readonly Screen[] = [
  { path: '/election', label: 'Election' },
  {
    path: '/polling-station',
    label: 'Polling station',
    comingSoon:
      'Check voters in: find them on the roll, confirm who they are with a 1:1 biometric match (with a supervised fallback), and issue a one-time ballot credential signed blindly, so the ballot can never be linked back to the voter.',
  },
  {
    path: '/voting-booth',
    label: 'Voting booth',
    comingSoon:
      'Mark a ballot, have it encrypted with ElectionGuard, get a confirmation code, then cast it or challenge it to check the encryption.',
  },
  {
    path: '/bulletin-board',
    label: 'Bulletin board',
    comingSoon:
      "The public election record: every cast ballot's confirmation code, the encrypted tally, the guardians' decryption and the ledger's signed tree heads, for anyone to verify.",
  },
  {
    path: '/administration',
    label: 'Administration',
    comingSoon:
      'Load election definitions, import the voter roll, run the key ceremony with the guardians, close the polls and run risk-limiting audits against the paper.',
  },
  {
    path: '/intelligence',
    label: 'Intelligence',
    comingSoon:
      'Share threat intelligence (STIX 2.1 over TAXII 2.1) with partner organisations under TLP 2.0, receive alerts for your jurisdiction and report sightings.',
  },
];

function screenFor(path: string): Screen | undefined {
  const normalised = path === '/' ? '/election' : path.replace(/\/+$/, '');
  return SCREENS.find((screen) => screen.path === normalised);
}

export function App() {
  const path = usePath();
  const screen = screenFor(path);
  const mainRef = useRef<HTMLElement>(null);
  const shownPath = useRef(path);

  useEffect(() => {
    document.title = screen === undefined ? 'Page not found · Vigil' : `${screen.label} · Vigil`;
    // After an in-app navigation, move focus to the new page's heading so that screen
    // readers announce it, as a full page load would. Not on the first load.
    if (shownPath.current === path) return;
    shownPath.current = path;
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [screen, path]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="site-header-inner">
          <Link to="/election" className="brand">
            <span aria-hidden="true" className="brand-mark">
              ◆
            </span>{' '}
            Vigil
          </Link>
          <nav aria-label="Main">
            <ul>
              {SCREENS.map((item) => (
                <li key={item.path}>
                  <Link to={item.path} current={item === screen}>
                    {item.label}
                    {item.comingSoon !== undefined && (
                      <span className="soon">
                        <span className="visually-hidden"> (</span>soon
                        <span className="visually-hidden">)</span>
                      </span>
                    )}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        {screen === undefined ? (
          <NotFoundPage path={path} />
        ) : screen.comingSoon === undefined ? (
          <ElectionPage />
        ) : (
          <ComingSoonPage title={screen.label} purpose={screen.comingSoon} />
        )}
      </main>
      <footer className="site-footer">
        <p>
          Vigil: election identity, verifiable ballots and shared intelligence on one tamper-evident
          ledger.
        </p>
      </footer>
    </>
  );
}
