import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Preferences } from '../api/types.ts';
import { useAuth } from '../auth/auth-context.tsx';
import { ErrorMessage, Loading } from '../components/status.tsx';

const CHANNEL_LABEL: Record<keyof Preferences, string> = { email: 'Email', sms: 'SMS', push: 'Push' };

/** The inbox (newest first, polled, cursor pages) and the channel preferences. */
export function NotificationsPage() {
  const { api } = useAuth();
  const inbox = useInfiniteQuery({
    queryKey: ['notifications'],
    queryFn: ({ pageParam }) => api.notifications(pageParam || undefined),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 5000,
  });
  const items = inbox.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="notifications-title">
      <h1 id="notifications-title">Notifications</h1>
      {inbox.isPending && <Loading what="your notifications" />}
      {inbox.isError && <ErrorMessage error={inbox.error} onRetry={() => void inbox.refetch()} />}
      {inbox.isSuccess && items.length === 0 && <p>Nothing yet.</p>}
      <ul aria-label="Inbox" className="rows">
        {items.map((n) => (
          <li key={n.id}>
            <strong>{n.subject}</strong>{' '}
            <span className="muted">
              ({CHANNEL_LABEL[n.channel]}, {n.status}, {new Date(n.createdAt).toLocaleString()})
            </span>
            <p>{n.text}</p>
          </li>
        ))}
      </ul>
      {inbox.hasNextPage && (
        <button type="button" onClick={() => void inbox.fetchNextPage()} disabled={inbox.isFetchingNextPage}>
          Older notifications
        </button>
      )}
      <PreferencesForm />
    </section>
  );
}

const DEFAULT_PREFERENCES: Preferences = { email: true, sms: false, push: false };
const savedKey = (userId: string) => `stackdrill.preferences.${userId}`;

/**
 * Channel opt-ins. The API has no read of them, so the form starts from what this browser last saved
 * for this user, or from the service's defaults (email only).
 */
function PreferencesForm() {
  const { api, identity } = useAuth();
  const [preferences, setPreferences] = useState<Preferences>(() => {
    try {
      const saved = identity && window.localStorage.getItem(savedKey(identity.userId));
      return saved
        ? { ...DEFAULT_PREFERENCES, ...(JSON.parse(saved) as Partial<Preferences>) }
        : DEFAULT_PREFERENCES;
    } catch {
      return DEFAULT_PREFERENCES;
    }
  });
  const save = useMutation({
    mutationFn: () => api.savePreferences(preferences),
    onSuccess: (inForce) => {
      setPreferences(inForce);
      if (identity) window.localStorage.setItem(savedKey(identity.userId), JSON.stringify(inForce));
    },
  });
  const toggle = (channel: keyof Preferences) => setPreferences((p) => ({ ...p, [channel]: !p[channel] }));
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={onSubmit} className="panel" aria-labelledby="preferences-title">
      <h2 id="preferences-title">Channel preferences</h2>
      <fieldset>
        <legend>Send me notifications by</legend>
        {(['email', 'sms', 'push'] as const).map((channel) => (
          <label key={channel} className="check">
            <input type="checkbox" checked={preferences[channel]} onChange={() => toggle(channel)} />
            {CHANNEL_LABEL[channel]}
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={save.isPending}>
        Save preferences
      </button>
      {save.isError && <ErrorMessage error={save.error} />}
      {save.isSuccess && <p role="status">Preferences saved.</p>}
    </form>
  );
}
