import { Link } from '../router.tsx';

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
