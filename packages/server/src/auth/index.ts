/**
 * Authentication and authorisation of election officials and polling stations: see the
 * "Officials and stations" section of docs/architecture.md.
 */
export {
  DEFAULT_AUTH_POLICY,
  PLACE_BOUND_ROLES,
  ROLES_FOR,
  SECOND_OFFICIAL_HEADER,
  SESSION_TOUCH_INTERVAL_MS,
  STATION_TOKEN_HEADER,
  isPlaceBound,
  rolesFor,
  type AuthPolicy,
  type OfficialAction,
} from './policy.ts';
export {
  SECOND_OFFICIAL_ROLES,
  officialOf,
  requireOfficial,
  requireStation,
  stationOf,
  verifySecondOfficial,
  type RequireOfficialOptions,
  type SecondOfficialContext,
} from './guard.ts';
export {
  authenticateSession,
  checkOfficialPassword,
  signIn,
  signOut,
  type ActiveSession,
  type AuthenticatedOfficial,
  type AuthenticatedStation,
  type AuthOptions,
  type PasswordRefusal,
  type SessionRefusal,
  type SignedIn,
  type SignInRefusal,
} from './sign-in.ts';
export {
  createOfficial,
  disableOfficial,
  knownPollingPlaces,
  registerStation,
  revokeStation,
  unlockOfficial,
  type Actor,
  type NewOfficial,
} from './accounts.ts';
export {
  authRoutes,
  type AuthRoutesOptions,
  type LoginResponse,
  type MeResponse,
} from './routes.ts';
export { createDemoCredentials, DEMO_CREDENTIALS_FILE, type DemoCredentials } from './demo.ts';
export {
  MIN_PASSWORD_LENGTH,
  generatePassword,
  hashBearerToken,
  hashPassword,
  newBearerToken,
  verifyPassword,
} from './secrets.ts';
