import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useAuth } from '../auth/auth-context.tsx';

/** Sends a signed-out visitor to sign in, and back here afterwards. */
export function RequireAuth({ children, admin = false }: { children: ReactNode; admin?: boolean }) {
  const { identity } = useAuth();
  const location = useLocation();
  if (!identity) {
    const next = encodeURIComponent(`${location.pathname}${location.search}`);
    return <Navigate to={`/signin?next=${next}`} replace />;
  }
  if (admin && identity.role !== 'admin') {
    return (
      <p role="alert" className="error">
        This page is for shop administrators.
      </p>
    );
  }
  return <>{children}</>;
}
