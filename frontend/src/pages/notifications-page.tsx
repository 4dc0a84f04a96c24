import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Preferences } from '../api/types.ts';
import { useAuth } from '../auth/auth-context.tsx';
import { ErrorMessage, Loading } from '../components/status.tsx';

export function NotificationsPage() {
  const { api } = useAuth();
  const inbox = useQuery({
    queryKey: ['notifications'],
    queryFn: () => api.notifications(),
    refetchInterval: 5000,
  });
  return (
    <section aria-labelledby="notifications-title">
      <h1 id="notifications-title">Notifications</h1>
      {inbox.isPending && <Loading what="your notifications" />}
      {inbox.isError && <ErrorMessage error={inbox.error} onRetry={() => void inbox.refetch()} />}
      {inbox.isSuccess && inbox.data.items.length === 0 && <p>Nothing yet.</p>}
      <ul aria-label="Inbox" className="rows">
        {inbox.data?.items.map((n) => (
          <li key={n.id}>
            <strong>{n.subject}</strong>{' '}
            <span className="muted">
              ({n.channel}, {n.status})
            </span>
            <p>{n.text}</p>
          </li>
        ))}
      </ul>
      <PreferencesForm />
    </section>
  );
}

/** Channel opt-ins. The API has no read of them: the form starts from the defaults (email on). */
function PreferencesForm() {
  const { api } = useAuth();
  const [preferences, setPreferences] = useState<Preferences>({ email: true, sms: false, push: false });
  const save = useMutation({ mutationFn: () => api.savePreferences(preferences) });
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
            {channel === 'sms' ? 'SMS' : channel[0]!.toUpperCase() + channel.slice(1)}
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
