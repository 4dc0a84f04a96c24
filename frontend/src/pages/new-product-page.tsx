import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../api/client.ts';
import { useAuth } from '../auth/auth-context.tsx';
import { Field } from '../components/field.tsx';
import { ErrorMessage } from '../components/status.tsx';
import { productErrors } from '../forms/validation.ts';

export function NewProductPage() {
  const { api } = useAuth();
  const [form, setForm] = useState({
    sku: '',
    name: '',
    description: '',
    category: '',
    price: '',
    stock: '0',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: () =>
      api.createProduct({
        sku: form.sku,
        name: form.name.trim(),
        description: form.description,
        category: form.category,
        priceCents: Math.round(Number(form.price.trim()) * 100),
        initialStock: Number(form.stock),
      }),
    onError: (error) => {
      if (error instanceof ApiError) setErrors(error.fieldErrors);
    },
  });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [key]: e.target.value });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const found = productErrors(form);
    setErrors(found);
    if (!Object.keys(found).length) create.mutate();
  };
  return (
    <section aria-labelledby="new-product-title" className="narrow">
      <h1 id="new-product-title">New product</h1>
      <form onSubmit={onSubmit} noValidate>
        <Field label="SKU" value={form.sku} error={errors.sku} onChange={set('sku')} />
        <Field label="Name" value={form.name} error={errors.name} onChange={set('name')} />
        <Field
          label="Description"
          value={form.description}
          error={errors.description}
          onChange={set('description')}
        />
        <Field label="Category" value={form.category} error={errors.category} onChange={set('category')} />
        <Field
          label="Price (USD)"
          inputMode="decimal"
          value={form.price}
          error={errors.price}
          onChange={set('price')}
        />
        <Field
          label="Initial stock"
          type="number"
          min={0}
          value={form.stock}
          error={errors.stock}
          onChange={set('stock')}
        />
        {create.isError && <ErrorMessage error={create.error} />}
        <button type="submit" disabled={create.isPending}>
          Create product
        </button>
      </form>
      {create.isSuccess && (
        <p role="status">
          Created <Link to={`/products/${create.data.id}`}>{create.data.name}</Link>.
        </p>
      )}
    </section>
  );
}
