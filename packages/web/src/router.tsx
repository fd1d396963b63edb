import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';

/**
 * A minimal client-side router over the History API: the app has a handful of screens,
 * and the server answers index.html for every page path, so a full router is not needed.
 */

const NAVIGATE_EVENT = 'vigil:navigate';

/** The current path (`/election`), kept in step with back/forward and `navigate`. */
export function usePath(): string {
  const [path, setPath] = useState(() => window.location.pathname);
  useEffect(() => {
    const update = () => {
      setPath(window.location.pathname);
    };
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE_EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE_EVENT, update);
    };
  }, []);
  return path;
}

export function navigate(to: string): void {
  if (to === window.location.pathname) return;
  window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

interface LinkProps {
  to: string;
  children: ReactNode;
  current?: boolean;
  className?: string;
}

/** An ordinary link that navigates in place; modified clicks still open a new tab. */
export function Link({ to, children, current = false, className }: LinkProps) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    navigate(to);
  };
  return (
    <a
      href={to}
      onClick={onClick}
      className={className}
      aria-current={current ? 'page' : undefined}
    >
      {children}
    </a>
  );
}
