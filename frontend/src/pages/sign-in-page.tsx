import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../api/client.ts';
import { useAuth } from '../auth/auth-context.tsx';
import { Field } from '../components/field.tsx';
import { ErrorMessage } from '../components/status.tsx';
import { registrationErrors, signInErrors } from '../forms/validation.ts';

/** Where to go after signing in: only a path of this site (never another origin). */
function nextPath(params: URLSearchParams): string {
  const next = params.get('next') ?? '/';
  return next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function SignInPage() {
  const { signIn } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [form, setForm] = useState({ email: '', password: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const found = signInErrors(form);
    setErrors(found);
    setFailure(undefined);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      await signIn(form.email.trim(), form.password);
      void navigate(nextPath(params), { replace: true });
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="signin-title" className="narrow">
      <h1 id="signin-title">Sign in</h1>
      <form onSubmit={(e) => void onSubmit(e)} noValidate>
        <Field
          label="Email"
          type="email"
          autoComplete="username"
          value={form.email}
          error={errors.email}
          onChange={(e) => setForm({ ...form, email: e.target.value })}
        />
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          value={form.password}
          error={errors.password}
          onChange={(e) => setForm({ ...form, password: e.target.value })}
        />
        {failure !== undefined && <ErrorMessage error={failure} />}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <p>
        New here? <Link to={`/register?${params.toString()}`}>Create an account</Link>
      </p>
    </section>
  );
}

export function RegisterPage() {
  const { api, signIn } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [form, setForm] = useState({ name: '', email: '', password: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const found = registrationErrors(form);
    setErrors(found);
    setFailure(undefined);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      await api.register({ name: form.name.trim(), email: form.email.trim(), password: form.password });
      await signIn(form.email.trim(), form.password);
      void navigate(nextPath(params), { replace: true });
    } catch (error) {
      // The API's field errors land on their fields; the rest is said above the button.
      if (error instanceof ApiError && error.code === 'EMAIL_TAKEN') {
        setErrors({ email: error.message });
        return;
      }
      if (error instanceof ApiError && Object.keys(error.fieldErrors).length) setErrors(error.fieldErrors);
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="register-title" className="narrow">
      <h1 id="register-title">Create an account</h1>
      <form onSubmit={(e) => void onSubmit(e)} noValidate>
        <Field
          label="Name"
          autoComplete="name"
          value={form.name}
          error={errors.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
        />
        <Field
          label="Email"
          type="email"
          autoComplete="email"
          value={form.email}
          error={errors.email}
          onChange={(e) => setForm({ ...form, email: e.target.value })}
        />
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          value={form.password}
          error={errors.password}
          onChange={(e) => setForm({ ...form, password: e.target.value })}
        />
        {failure !== undefined && <ErrorMessage error={failure} />}
        <button type="submit" disabled={busy}>
          Create account
        </button>
      </form>
    </section>
  );
}
