import { useId, type InputHTMLAttributes } from 'react';

/** A labelled input with its error said next to it (and announced to screen readers). */
export function Field({
  label,
  error,
  ...input
}: { label: string; error?: string | undefined } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={Boolean(error)} aria-describedby={`${id}-error`} {...input} />
      <span id={`${id}-error`} className="field-error" role={error ? 'alert' : undefined}>
        {error}
      </span>
    </div>
  );
}
