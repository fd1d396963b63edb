import { useEffect } from 'react';
import type { CheckInDashboard, TurnoutDashboard } from '@vigil/server';
import { ProblemMessage } from '../ProblemMessage.tsx';
import { SignInGate } from '../session.tsx';
import { BarChart } from './registry/BarChart.tsx';
import { share, useOfficialApi } from './registry/useOfficialApi.ts';

/** How often the figures refresh by themselves while the panel is open. */
const REFRESH_MS = 30_000;

const hourFormat = new Intl.DateTimeFormat('en-US', {
  hour: 'numeric',
  hour12: false,
  timeZone: 'UTC',
  month: 'short',
  day: 'numeric',
});

/**
 * Election-day dashboards for administrators and registrars: turnout by hour and by
 * precinct, and by station the check-ins, failed fingerprint matches and supervised
 * overrides, so that a station with many failures (a dirty scanner, or impostors) shows.
 */
export function DashboardPanel() {
  return (
    <div className="registry-admin">
      <h2>Dashboards</h2>
      <SignInGate
        purpose="Sign in as an administrator or a registrar to follow turnout and check-ins."
        roles={['administrator', 'registrar']}
      >
        {() => <Dashboards />}
      </SignInGate>
    </div>
  );
}

function Dashboards() {
  const turnout = useOfficialApi<TurnoutDashboard>('/api/dashboards/turnout');
  const checkIns = useOfficialApi<CheckInDashboard>('/api/dashboards/checkins');
  const { reload: reloadTurnout } = turnout;
  const { reload: reloadCheckIns } = checkIns;
  useEffect(() => {
    const timer = setInterval(() => {
      reloadTurnout();
      reloadCheckIns();
    }, REFRESH_MS);
    return () => {
      clearInterval(timer);
    };
  }, [reloadTurnout, reloadCheckIns]);
  const t = turnout.state;
  const c = checkIns.state;
  return (
    <div className="dashboards">
      <p>
        <button
          type="button"
          onClick={() => {
            reloadTurnout();
            reloadCheckIns();
          }}
        >
          Refresh now
        </button>{' '}
        <span className="muted">The figures also refresh every 30 seconds.</span>
      </p>
      {(t?.status === 'loading' || c?.status === 'loading') && (
        <p role="status">Loading the figures…</p>
      )}
      {t?.status === 'failed' && <ProblemMessage problem={t.problem} />}
      {t?.status === 'loaded' && <Turnout dashboard={t.value} />}
      {c?.status === 'failed' && <ProblemMessage problem={c.problem} />}
      {c?.status === 'loaded' && <Stations dashboard={c.value} />}
    </div>
  );
}

function Turnout({ dashboard }: { dashboard: TurnoutDashboard }) {
  const busiest = dashboard.byHour.reduce<(typeof dashboard.byHour)[number] | undefined>(
    (best, h) => (best === undefined || h.checkIns > best.checkIns ? h : best),
    undefined,
  );
  return (
    <section aria-labelledby="dash-turnout">
      <h3 id="dash-turnout">Turnout</h3>
      <p className="dash-total" aria-live="polite">
        <strong>{dashboard.checkedIn}</strong> of {dashboard.registered} registered voters have
        checked in ({share(dashboard.checkedIn, dashboard.registered)}).
      </p>
      {dashboard.byHour.length === 0 ? (
        <p>No voter has checked in yet.</p>
      ) : (
        <BarChart
          level={4}
          title="Check-ins by hour (UTC)"
          summary={`${dashboard.checkedIn} check-ins over ${dashboard.byHour.length} hours; the busiest hour, ${busiest === undefined ? '' : hourFormat.format(new Date(busiest.hour))}:00, had ${busiest?.checkIns ?? 0}.`}
          rowHeading="Hour (UTC)"
          series={[
            { name: 'Check-ins', className: 'chart-series-1' },
            { name: 'Of which overrides', className: 'chart-series-2' },
          ]}
          rows={dashboard.byHour.map((h) => ({
            label: `${hourFormat.format(new Date(h.hour))}:00`,
            values: [h.checkIns, h.overrides],
          }))}
        />
      )}
      <BarChart
        level={4}
        title="Turnout by precinct"
        summary={dashboard.byPrecinct
          .map((p) => `${p.name}: ${p.checkedIn} of ${p.registered}`)
          .join('; ')}
        rowHeading="Precinct"
        series={[
          { name: 'Registered', className: 'chart-series-3' },
          { name: 'Checked in', className: 'chart-series-1' },
        ]}
        rows={dashboard.byPrecinct.map((p) => ({
          label: p.name,
          values: [p.registered, p.checkedIn],
        }))}
        extraColumns={[
          {
            heading: 'Turnout',
            cells: dashboard.byPrecinct.map((p) => share(p.checkedIn, p.registered)),
          },
        ]}
      />
    </section>
  );
}

function Stations({ dashboard }: { dashboard: CheckInDashboard }) {
  const stations = dashboard.byStation;
  const failures = stations.reduce((n, s) => n + s.failedMatches, 0);
  const overrides = stations.reduce((n, s) => n + s.overrides, 0);
  return (
    <section aria-labelledby="dash-stations">
      <h3 id="dash-stations">Match failures and overrides by station</h3>
      {stations.length === 0 ? (
        <p>No station has checked a voter in or tried a fingerprint match yet.</p>
      ) : (
        <BarChart
          level={4}
          title="Failed matches and overrides by station"
          summary={`${failures} failed fingerprint matches and ${overrides} supervised overrides at ${stations.length} stations.`}
          rowHeading="Station"
          series={[
            { name: 'Failed matches', className: 'chart-series-2' },
            { name: 'Overrides', className: 'chart-series-3' },
          ]}
          rows={stations.map((s) => ({
            label: s.stationId,
            values: [s.failedMatches, s.overrides],
          }))}
          extraColumns={[
            { heading: 'Check-ins', cells: stations.map((s) => String(s.checkIns)) },
            { heading: 'Match attempts', cells: stations.map((s) => String(s.attempts)) },
            {
              heading: 'Failure rate',
              cells: stations.map((s) => share(s.failedMatches, s.attempts)),
            },
          ]}
        />
      )}
    </section>
  );
}
