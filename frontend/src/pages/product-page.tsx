import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useParams } from 'react-router';
import { IdempotencyKey, isFinalAnswer } from '../api/idempotency.ts';
import { ApiError } from '../api/client.ts';
import type { ProductDetail } from '../api/types.ts';
import { useAuth } from '../auth/auth-context.tsx';
import { formatPrice, MAX_QUANTITY } from '../cart/cart.ts';
import { useCart } from '../cart/use-cart.ts';
import { ErrorMessage, Loading } from '../components/status.tsx';

export function ProductPage() {
  const { id = '' } = useParams();
  const { api, identity } = useAuth();
  const product = useQuery({ queryKey: ['product', id], queryFn: () => api.product(id) });
  const { add } = useCart();
  const [quantity, setQuantity] = useState(1);
  const [added, setAdded] = useState('');

  if (product.isPending) return <Loading what="the product" />;
  if (product.isError) return <ErrorMessage error={product.error} onRetry={() => void product.refetch()} />;
  const p = product.data;
  const onAdd = (event: FormEvent) => {
    event.preventDefault();
    add({ productId: p.id, name: p.name, priceCents: p.priceCents, quantity });
    setAdded(`${quantity} × ${p.name} added to the cart.`);
  };
  return (
    <article aria-labelledby="product-title">
      <h1 id="product-title">{p.name}</h1>
      <p className="price">{formatPrice(p.priceCents)}</p>
      <p>{p.description}</p>
      <dl className="facts">
        <dt>Category</dt>
        <dd>{p.category}</dd>
        <dt>SKU</dt>
        <dd>{p.sku}</dd>
        <dt>In stock</dt>
        <dd data-testid="stock">{p.stock}</dd>
      </dl>
      <form onSubmit={onAdd} className="inline">
        <label>
          Quantity
          <input
            type="number"
            min={1}
            max={Math.min(MAX_QUANTITY, Math.max(1, p.stock))}
            value={quantity}
            onChange={(e) => setQuantity(Number(e.target.value))}
            required
          />
        </label>
        <button type="submit" disabled={p.stock === 0}>
          Add to cart
        </button>
      </form>
      {p.stock === 0 && <p className="muted">Out of stock.</p>}
      <p role="status" aria-live="polite">
        {added}
      </p>
      {identity?.role === 'admin' && <StockAdjustment productId={p.id} />}
    </article>
  );
}

/**
 * Admin: move stock by a delta with a reason. One Idempotency-Key per adjustment: re-sending the same
 * delta and reason after a lost answer counts once; changing either makes it a new adjustment.
 */
function StockAdjustment({ productId }: { productId: string }) {
  const { api } = useAuth();
  const client = useQueryClient();
  const [delta, setDelta] = useState('');
  const [reason, setReason] = useState('');
  const [key] = useState(() => new IdempotencyKey());
  const adjust = useMutation({
    mutationFn: (change: { delta: number; reason: string }) =>
      api.adjustStock(productId, change.delta, change.reason, key.for(change)),
    onError: (error) => {
      if (error instanceof ApiError && isFinalAnswer(error.status)) key.settle();
    },
    onSuccess: (result) => {
      key.settle();
      setDelta('');
      setReason('');
      client.setQueryData<ProductDetail>(['product', productId], (p) => p && { ...p, stock: result.stock });
      void client.invalidateQueries({ queryKey: ['product', productId] });
    },
  });
  const deltaError =
    delta !== '' &&
    (!Number.isInteger(Number(delta)) || Number(delta) === 0 || Math.abs(Number(delta)) > 1_000_000)
      ? 'Enter a whole number other than 0, up to 1,000,000 either way (negative removes stock).'
      : '';
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!deltaError && delta !== '') adjust.mutate({ delta: Number(delta), reason: reason.trim() });
  };
  return (
    <section aria-labelledby="stock-title" className="panel">
      <h2 id="stock-title">Adjust stock</h2>
      <form onSubmit={onSubmit}>
        <label>
          Change in stock
          <input
            type="number"
            step={1}
            value={delta}
            onChange={(e) => setDelta(e.target.value)}
            aria-invalid={Boolean(deltaError)}
            aria-describedby="delta-error"
            required
          />
        </label>
        <span id="delta-error" className="field-error">
          {deltaError}
        </span>
        <label>
          Reason
          <input
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            minLength={3}
            maxLength={200}
            required
          />
        </label>
        <button type="submit" disabled={adjust.isPending}>
          Apply stock change
        </button>
      </form>
      {adjust.isError && <ErrorMessage error={adjust.error} />}
      {adjust.isSuccess && <p role="status">Stock is now {adjust.data.stock}.</p>}
    </section>
  );
}
