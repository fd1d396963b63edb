import type { Session } from '../../session.tsx';

type Role = Session['official']['role'];

/**
 * The roles of the ballot side of administration (policy actions `election.manage` and
 * `guardian.act`): the administrator runs the election, guardians hold key shares and
 * act only in their own signed-in browser.
 */
export const ADMINISTRATOR: Role = 'administrator';
export const GUARDIAN: Role = 'guardian';

export function isGuardian(session: Session): boolean {
  return session.official.role === 'guardian';
}

export function isAdministrator(session: Session): boolean {
  return session.official.role === 'administrator';
}
