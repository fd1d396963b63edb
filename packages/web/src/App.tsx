import { useEffect, useRef, type ReactElement } from 'react';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { ElectionPage } from './pages/ElectionPage.tsx';
import { PollingStationPage } from './pages/PollingStationPage.tsx';
import { VotingBoothPage } from './pages/VotingBoothPage.tsx';
import { BulletinBoardPage } from './pages/BulletinBoardPage.tsx';
import { AdministrationPage } from './pages/AdministrationPage.tsx';
import { IntelligencePage } from './pages/IntelligencePage.tsx';
import { Link, usePath } from './router.tsx';

interface Screen {
  path: string;
  label: string;
  page: () => ReactElement;
}

/** The screens of Vigil, in the order an election day runs through them. */
export const SCREENS: readonly Screen[] = [
  { path: '/election', label: 'Election', page: ElectionPage },
  { path: '/polling-station', label: 'Polling station', page: PollingStationPage },
  { path: '/voting-booth', label: 'Voting booth', page: VotingBoothPage },
  { path: '/bulletin-board', label: 'Bulletin board', page: BulletinBoardPage },
  { path: '/administration', label: 'Administration', page: AdministrationPage },
  { path: '/intelligence', label: 'Intelligence', page: IntelligencePage },
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
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        {screen === undefined ? <NotFoundPage path={path} /> : <screen.page />}
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
