import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';

/**
 * A form's state and its submit: fields, the client-side check, then the action; the API's field
 * errors land on their fields (and, with `errorField`, an error code on one field), anything else
 * is said above the button. Busy while the action runs.
 */
export function useForm<T extends Record<string, string>>(options: {
  initial: T;
  check: (values: T) => Record<string, string>;
  submit: (values: T) => Promise<void>;
  /** Puts an API error with this code on this field instead of above the button. */
  errorField?: { code: string; field: keyof T & string };
}) {
  const [values, setValues] = useState(options.initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const found = options.check(values);
    setErrors(found);
    setFailure(undefined);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      await options.submit(values);
    } catch (error) {
      if (error instanceof ApiError && error.code === options.errorField?.code) {
        setErrors({ [options.errorField.field]: error.message });
        return;
      }
      if (error instanceof ApiError && Object.keys(error.fieldErrors).length) setErrors(error.fieldErrors);
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  /** Props for a Field bound to one value. */
  const field = (name: keyof T & string) => ({
    value: values[name],
    error: errors[name],
    onChange: (e: { target: { value: string } }) => setValues({ ...values, [name]: e.target.value }),
  });

  return { values, errors, failure, busy, field, onSubmit: (e: FormEvent) => void onSubmit(e) };
}
