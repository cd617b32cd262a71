import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';
import { createStewardClient, type Schemas, type StewardClient } from '../api/client';
import { ApiProblem, unwrap } from '../api/problem';
import { ReauthDialog } from './reauth-dialog';

export interface SessionData {
  readonly token: string;
  readonly expiresAt: string;
  readonly kind: Schemas['SignedIn']['kind'];
  readonly email: string;
  readonly tenantId?: string;
}

interface SessionContextValue {
  readonly session: SessionData | undefined;
  readonly api: StewardClient;
  readonly signIn: (email: string, password: string) => Promise<SessionData>;
  readonly signOut: () => void;
}

const STORAGE_KEY = 'steward.session';
/** Same origin by default (npm start serves console and API together); a hosted build sets VITE_STEWARD_API. */
export const API_BASE: string = (import.meta.env.VITE_STEWARD_API as string | undefined) ?? window.location.origin;

const SessionContext = createContext<SessionContextValue | undefined>(undefined);

function stored(): SessionData | undefined {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as SessionData) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The signed-in person and the typed client that carries their credential. When a
 * request comes back 401 (the 1-hour ID token expired), a sign-in dialog opens over
 * the page: what was typed stays where it is, and the request is sent again.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionData | undefined>(stored);
  const sessionRef = useRef(session);
  sessionRef.current = session;
  const [reauth, setReauth] = useState<{ waiting: ((ok: boolean) => void)[] } | undefined>();
  const reauthRef = useRef(reauth);
  reauthRef.current = reauth;

  const remember = useCallback((next: SessionData | undefined) => {
    sessionRef.current = next;
    if (next) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    else sessionStorage.removeItem(STORAGE_KEY);
    setSession(next);
  }, []);

  const api = useMemo(
    () =>
      createStewardClient(API_BASE, () => sessionRef.current?.token, {
        onUnauthorized: () =>
          new Promise<boolean>((resolve) => {
            if (!sessionRef.current) return resolve(false);
            const current = reauthRef.current;
            if (current) current.waiting.push(resolve);
            else {
              const next = { waiting: [resolve] };
              reauthRef.current = next;
              setReauth(next);
            }
          }),
      }),
    [],
  );

  const signIn = useCallback(
    async (email: string, password: string) => {
      const signedIn = unwrap(await api.POST('/auth/token', { body: { email, password } }));
      const next: SessionData = { token: signedIn.idToken, expiresAt: signedIn.expiresAt, kind: signedIn.kind, email, tenantId: signedIn.tenantId };
      remember(next);
      return next;
    },
    [api, remember],
  );

  const settleReauth = useCallback((ok: boolean) => {
    const current = reauthRef.current;
    reauthRef.current = undefined;
    setReauth(undefined);
    for (const resolve of current?.waiting ?? []) resolve(ok);
  }, []);

  const signOut = useCallback(() => {
    settleReauth(false);
    remember(undefined);
  }, [remember, settleReauth]);

  const value = useMemo(() => ({ session, api, signIn, signOut }), [session, api, signIn, signOut]);
  return (
    <SessionContext.Provider value={value}>
      {children}
      {reauth && session ? (
        <ReauthDialog
          email={session.email}
          onSignIn={async (password) => {
            await signIn(session.email, password);
            settleReauth(true);
          }}
          onSignOut={signOut}
        />
      ) : null}
    </SessionContext.Provider>
  );
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

export function useApi(): StewardClient {
  return useSession().api;
}

export { ApiProblem };
