import { Link, useNavigate, useSearchParams } from 'react-router';
import { useAuth } from '../auth/auth-context.tsx';
import { Field } from '../components/field.tsx';
import { ErrorMessage } from '../components/status.tsx';
import { useForm } from '../forms/use-form.ts';
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
  const form = useForm({
    initial: { email: '', password: '' },
    check: signInErrors,
    submit: async ({ email, password }) => {
      await signIn(email.trim(), password);
      void navigate(nextPath(params), { replace: true });
    },
  });
  return (
    <section aria-labelledby="signin-title" className="narrow">
      <h1 id="signin-title">Sign in</h1>
      <form onSubmit={form.onSubmit} noValidate>
        <Field label="Email" type="email" autoComplete="username" {...form.field('email')} />
        <Field label="Password" type="password" autoComplete="current-password" {...form.field('password')} />
        {form.failure !== undefined && <ErrorMessage error={form.failure} />}
        <button type="submit" disabled={form.busy}>
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
  const form = useForm({
    initial: { name: '', email: '', password: '' },
    check: registrationErrors,
    submit: async ({ name, email, password }) => {
      await api.register({ name: name.trim(), email: email.trim(), password });
      await signIn(email.trim(), password);
      void navigate(nextPath(params), { replace: true });
    },
    errorField: { code: 'EMAIL_TAKEN', field: 'email' },
  });
  return (
    <section aria-labelledby="register-title" className="narrow">
      <h1 id="register-title">Create an account</h1>
      <form onSubmit={form.onSubmit} noValidate>
        <Field label="Name" autoComplete="name" {...form.field('name')} />
        <Field label="Email" type="email" autoComplete="email" {...form.field('email')} />
        <Field label="Password" type="password" autoComplete="new-password" {...form.field('password')} />
        {form.failure !== undefined && <ErrorMessage error={form.failure} />}
        <button type="submit" disabled={form.busy}>
          Create account
        </button>
      </form>
    </section>
  );
}
