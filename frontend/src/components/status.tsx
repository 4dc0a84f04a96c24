import { ApiError } from '../api/client.ts';

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" aria-live="polite" className="muted">
      Loading {what}…
    </p>
  );
}

/** A failed request, said plainly, with a way to try again; never a blank page. */
export function ErrorMessage({
  error,
  onRetry,
  retryLabel = 'Try again',
}: {
  error: unknown;
  onRetry?: () => void;
  retryLabel?: string;
}) {
  const message =
    error instanceof ApiError ? error.userMessage : error instanceof Error ? error.message : String(error);
  return (
    <div role="alert" className="error">
      <p>{message}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {retryLabel}
        </button>
      )}
    </div>
  );
}
