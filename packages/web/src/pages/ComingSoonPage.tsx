import { Link } from '../router.tsx';

/** A screen that is planned but not built yet: says what it will do. */
export function ComingSoonPage({ title, purpose }: { title: string; purpose: string }) {
  return (
    <>
      <h1 tabIndex={-1}>{title}</h1>
      <p className="badge" aria-hidden="true">
        Coming soon
      </p>
      <p className="lede">
        <span className="visually-hidden">Coming soon. </span>
        {purpose}
      </p>
      <p>
        This screen is not built yet. Meanwhile, the <Link to="/election">election page</Link> shows
        the election definition in use.
      </p>
    </>
  );
}

export function NotFoundPage({ path }: { path: string }) {
  return (
    <>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        There is no page at <code>{path}</code>. Go to the <Link to="/election">election page</Link>
        .
      </p>
    </>
  );
}
