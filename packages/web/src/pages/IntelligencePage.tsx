import { useState, type KeyboardEvent } from 'react';
import { AlertAnnouncer, Alerts, useAlertInbox } from '../intel/Alerts.tsx';
import { Feed } from '../intel/Feed.tsx';
import type { Hub } from '../intel/hub.tsx';
import { PostForm } from '../intel/PostForm.tsx';
import { IntelSignIn } from '../intel/SignIn.tsx';
import { Sightings } from '../intel/Sightings.tsx';
import { TearLine } from '../intel/TearLine.tsx';

/**
 * The intelligence console: election authorities share STIX 2.1 intelligence through the
 * hub's TAXII 2.1 API under TLP 2.0. A person of the hub signs in, reads the feed by
 * collection, posts indicators and reports with their marking, follows the alerts of
 * their jurisdictions live, publishes tear-lines and sees what operations sighted.
 */
export function IntelligencePage() {
  const [hub, setHub] = useState<Hub | undefined>();
  return (
    <div className="intel">
      <h1 tabIndex={-1}>Intelligence</h1>
      {hub === undefined ? (
        <IntelSignIn onSignedIn={setHub} />
      ) : (
        <Console
          hub={hub}
          onSignOut={() => {
            setHub(undefined);
          }}
        />
      )}
    </div>
  );
}

const TABS = [
  { id: 'feed', label: 'Feed' },
  { id: 'post', label: 'Post' },
  { id: 'alerts', label: 'Alerts' },
  { id: 'tearline', label: 'Tear-lines' },
  { id: 'sightings', label: 'Sightings' },
] as const;
type TabId = (typeof TABS)[number]['id'];

function Console({ hub, onSignOut }: { hub: Hub; onSignOut: () => void }) {
  const inbox = useAlertInbox(hub);
  const [tab, setTab] = useState<TabId>('feed');
  const { profile } = hub;
  const onKey = (event: KeyboardEvent, index: number) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = TABS[(index + step + TABS.length) % TABS.length]!;
    setTab(next.id);
    document.getElementById(`intel-tab-${next.id}`)?.focus();
  };
  return (
    <>
      <p className="signed-in">
        Signed in as <strong>{profile.user.name}</strong> ({profile.user.userId}) of{' '}
        <strong>{profile.organisation.name}</strong> ({profile.organisation.kind}).{' '}
        <button type="button" className="link-button" onClick={onSignOut}>
          Sign out
        </button>
      </p>
      <AlertAnnouncer inbox={inbox} />
      <div role="tablist" aria-label="Intelligence" className="tabs">
        {TABS.map((t, index) => (
          <button
            key={t.id}
            id={`intel-tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={t.id === tab}
            aria-controls={`intel-panel-${t.id}`}
            tabIndex={t.id === tab ? 0 : -1}
            onClick={() => {
              setTab(t.id);
            }}
            onKeyDown={(e) => {
              onKey(e, index);
            }}
          >
            {t.label}
            {t.id === 'alerts' && inbox.fresh.size > 0 && ` (${inbox.fresh.size} new)`}
          </button>
        ))}
      </div>
      <section
        role="tabpanel"
        id={`intel-panel-${tab}`}
        aria-labelledby={`intel-tab-${tab}`}
        className="tab-panel"
      >
        {tab === 'feed' && (
          <>
            <h2>Feed</h2>
            <Feed hub={hub} />
          </>
        )}
        {tab === 'post' && <PostForm hub={hub} />}
        {tab === 'alerts' && <Alerts hub={hub} inbox={inbox} />}
        {tab === 'tearline' && <TearLine hub={hub} />}
        {tab === 'sightings' && <Sightings hub={hub} />}
      </section>
    </>
  );
}
