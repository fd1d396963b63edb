import { useState, type KeyboardEvent, type ReactElement } from 'react';
import { RollPanel } from '../admin/RollPanel.tsx';
import { ReviewQueuePanel } from '../admin/ReviewQueuePanel.tsx';
import { DashboardPanel } from '../admin/DashboardPanel.tsx';
import { CeremonyPanel } from '../admin/CeremonyPanel.tsx';
import { PollsPanel } from '../admin/PollsPanel.tsx';
import { TallyPanel } from '../admin/TallyPanel.tsx';
import { AuditPanel } from '../admin/AuditPanel.tsx';

interface Tab {
  readonly id: string;
  readonly label: string;
  readonly panel: () => ReactElement;
}

/** The administration tabs, in the order an election runs through them. */
const TABS: readonly Tab[] = [
  { id: 'roll', label: 'Roll and enrolment', panel: RollPanel },
  { id: 'dedup', label: 'De-duplication', panel: ReviewQueuePanel },
  { id: 'ceremony', label: 'Key ceremony', panel: CeremonyPanel },
  { id: 'polls', label: 'Polls', panel: PollsPanel },
  { id: 'tally', label: 'Tally and decryption', panel: TallyPanel },
  { id: 'audit', label: 'Risk-limiting audit', panel: AuditPanel },
  { id: 'dashboards', label: 'Dashboards', panel: DashboardPanel },
];

/**
 * Administration: one page, a tab per stage (WAI-ARIA tabs pattern: arrow keys move
 * between tabs, the panel is labelled by its tab). The chosen tab is kept in the URL's
 * hash so a reload or a shared link opens the same one.
 */
export function AdministrationPage() {
  const initial = TABS.find((t) => `#${t.id}` === window.location.hash) ?? TABS[0]!;
  const [current, setCurrent] = useState<Tab>(initial);
  const choose = (tab: Tab) => {
    setCurrent(tab);
    window.history.replaceState(null, '', `#${tab.id}`);
  };
  const onKey = (event: KeyboardEvent, index: number) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = TABS[(index + step + TABS.length) % TABS.length]!;
    choose(next);
    document.getElementById(`tab-${next.id}`)?.focus();
  };
  const Panel = current.panel;
  return (
    <>
      <h1 tabIndex={-1}>Administration</h1>
      <div role="tablist" aria-label="Administration" className="tabs">
        {TABS.map((tab, index) => (
          <button
            key={tab.id}
            id={`tab-${tab.id}`}
            type="button"
            role="tab"
            aria-selected={tab === current}
            aria-controls={`panel-${tab.id}`}
            tabIndex={tab === current ? 0 : -1}
            onClick={() => {
              choose(tab);
            }}
            onKeyDown={(e) => {
              onKey(e, index);
            }}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <section
        role="tabpanel"
        id={`panel-${current.id}`}
        aria-labelledby={`tab-${current.id}`}
        className="tab-panel"
      >
        <Panel />
      </section>
    </>
  );
}
