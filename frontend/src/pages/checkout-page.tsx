import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { useAuth } from '../auth/auth-context.tsx';
import { formatPrice, totalCents } from '../cart/cart.ts';
import { useCart } from '../cart/use-cart.ts';
import type { Order } from '../api/types.ts';
import { CheckoutFlow, type CheckoutState } from '../checkout/checkout-flow.ts';
import { ErrorMessage } from '../components/status.tsx';

/** Places the cart as one order and pays it; a retry never orders twice (see CheckoutFlow). */
export function CheckoutPage() {
  const { api } = useAuth();
  const { cart, clear } = useCart();
  const client = useQueryClient();
  // One flow per visit to checkout: its keys make every retry safe.
  const [flow] = useState(() => new CheckoutFlow(api));
  const [order, setOrder] = useState<Order | undefined>();
  const [state, setState] = useState<CheckoutState>({ step: 'ready' });
  const [busy, setBusy] = useState(false);

  if (state.step === 'paid') {
    return (
      <section aria-labelledby="checkout-title">
        <h1 id="checkout-title">Thank you</h1>
        <p role="status">
          Order <Link to={`/orders/${state.order.id}`}>{state.order.id.slice(0, 8)}</Link> is paid:{' '}
          {formatPrice(state.order.totalCents)}. A confirmation is on its way to your notifications.
        </p>
      </section>
    );
  }
  if (cart.length === 0 && !order) {
    return (
      <section aria-labelledby="checkout-title">
        <h1 id="checkout-title">Checkout</h1>
        <p>
          Nothing to check out. <Link to="/">Browse the catalogue</Link>.
        </p>
      </section>
    );
  }
  const submit = async () => {
    setBusy(true);
    const next = await flow.run(cart.map((l) => ({ productId: l.productId, quantity: l.quantity })));
    setBusy(false);
    setState(next);
    setOrder(flow.placedOrder);
    if (flow.placedOrder) {
      // The order exists: the cart is done with, whatever the payment did.
      clear();
      void client.invalidateQueries({ queryKey: ['orders'] });
    }
  };
  const declined = state.step === 'failed' && state.error.status === 402;
  return (
    <section aria-labelledby="checkout-title">
      <h1 id="checkout-title">Checkout</h1>
      {order ? (
        <p>
          Order {order.id.slice(0, 8)} is placed ({formatPrice(order.totalCents)}); it is not paid yet.
        </p>
      ) : (
        <ul aria-label="Order summary">
          {cart.map((l) => (
            <li key={l.productId}>
              {l.quantity} × {l.name} — {formatPrice(l.priceCents * l.quantity)}
            </li>
          ))}
        </ul>
      )}
      {!order && <p className="total">Total: {formatPrice(totalCents(cart))}</p>}
      {state.step === 'failed' && (
        <ErrorMessage
          error={declined ? new Error(`Payment declined: ${state.error.message}`) : state.error}
        />
      )}
      <button type="button" onClick={() => void submit()} disabled={busy}>
        {busy ? 'Working…' : order ? 'Retry payment' : 'Place order and pay'}
      </button>
    </section>
  );
}
