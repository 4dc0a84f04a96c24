import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { ApiError } from '../api/client.ts';
import type { OrderStatus } from '../api/types.ts';
import { useAuth } from '../auth/auth-context.tsx';
import { formatPrice } from '../cart/cart.ts';
import { declineReason, PaymentFlow } from '../checkout/payment-flow.ts';
import { ErrorMessage, Loading } from '../components/status.tsx';

const STATUS: Record<OrderStatus, string> = {
  placed: 'Placed (not paid)',
  paid: 'Paid',
  payment_failed: 'Payment failed',
};

export function OrdersPage() {
  const { api } = useAuth();
  const orders = useInfiniteQuery({
    queryKey: ['orders'],
    queryFn: ({ pageParam }) => api.orders(pageParam || undefined),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = orders.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">My orders</h1>
      {orders.isPending && <Loading what="your orders" />}
      {orders.isError && <ErrorMessage error={orders.error} onRetry={() => void orders.refetch()} />}
      {orders.isSuccess && items.length === 0 && <p>No orders yet.</p>}
      <ul aria-label="Orders" className="rows">
        {items.map((o) => (
          <li key={o.id}>
            <Link to={`/orders/${o.id}`}>Order {o.id.slice(0, 8)}</Link>{' '}
            <span className="muted">{new Date(o.createdAt).toLocaleString()}</span>{' '}
            {formatPrice(o.totalCents)} <span className={`badge ${o.status}`}>{STATUS[o.status]}</span>
          </li>
        ))}
      </ul>
      {orders.hasNextPage && (
        <button type="button" onClick={() => void orders.fetchNextPage()}>
          Older orders
        </button>
      )}
    </section>
  );
}

export function OrderPage() {
  const { id = '' } = useParams();
  const { api } = useAuth();
  const order = useQuery({ queryKey: ['orders', id], queryFn: () => api.order(id) });
  if (order.isPending) return <Loading what="the order" />;
  if (order.isError) return <ErrorMessage error={order.error} onRetry={() => void order.refetch()} />;
  const o = order.data;
  return (
    <article aria-labelledby="order-title">
      <h1 id="order-title">Order {o.id.slice(0, 8)}</h1>
      <p>
        Status: <span className={`badge ${o.status}`}>{STATUS[o.status]}</span>
      </p>
      <ul aria-label="Order lines">
        {o.lines.map((l) => (
          <li key={l.productId}>
            {l.quantity} × {l.name} at {formatPrice(l.unitPriceCents)}
          </li>
        ))}
      </ul>
      <p className="total">Total: {formatPrice(o.totalCents)}</p>
      {o.status !== 'paid' && <PayNow orderId={o.id} />}
    </article>
  );
}

/**
 * Pays an order left unpaid (a decline, or a checkout left half-way): retries of one attempt reuse
 * its key, a decline makes the next attempt a new one (see PaymentFlow).
 */
function PayNow({ orderId }: { orderId: string }) {
  const { api } = useAuth();
  const client = useQueryClient();
  const [flow] = useState(() => new PaymentFlow(api, orderId));
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const pay = async () => {
    setBusy(true);
    const outcome = await flow.pay();
    setBusy(false);
    setError(outcome.paid ? undefined : outcome.error);
    void client.invalidateQueries({ queryKey: ['orders'] });
  };
  return (
    <>
      {error &&
        (error.status === 402 ? (
          <div role="alert" className="error">
            <p>Payment declined: {declineReason(error)}.</p>
          </div>
        ) : (
          <ErrorMessage error={error} />
        ))}
      <button type="button" onClick={() => void pay()} disabled={busy}>
        {busy ? 'Working…' : 'Pay now'}
      </button>
    </>
  );
}
