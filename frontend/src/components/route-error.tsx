import { isRouteErrorResponse, useRouteError } from 'react-router';
import { ErrorMessage } from './status.tsx';

/**
 * What a page that failed to render or load shows inside the layout (the navigation stays usable):
 * the reason, and a reload, which also fetches a page's code again after a new version was deployed.
 */
export function RouteError() {
  const error = useRouteError();
  const reason = isRouteErrorResponse(error)
    ? new Error(`${error.status} ${error.statusText}`)
    : error instanceof Error
      ? new Error(`This page could not be shown: ${error.message}`)
      : new Error('This page could not be shown.');
  return (
    <section aria-labelledby="route-error-title">
      <h1 id="route-error-title">Something went wrong</h1>
      <ErrorMessage error={reason} onRetry={() => window.location.reload()} retryLabel="Reload the page" />
    </section>
  );
}
