import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { IdempotencyKey } from '../api/idempotency.ts';
import type { Order } from '../api/types.ts';
import { useAuth } from '../auth/auth-context.tsx';
import { formatPrice, totalCents } from '../cart/cart.ts';
import { useCart } from '../cart/use-cart.ts';
import { CheckoutFlow, MAX_ORDER_LINES, type CheckoutState } from '../checkout/checkout-flow.ts';
import { declineReason } from '../checkout/payment-flow.ts';
import { ErrorMessage } from '../components/status.tsx';

/** Where the pending order's Idempotency-Key waits, so a reload or a new sign-in retries with it. */
export const CHECKOUT_KEY_STORAGE = 'stackdrill.checkout.order-key';

/** Places the cart as one order and pays it; a retry never orders twice (see CheckoutFlow). */
export function CheckoutPage() {
  const { api } = useAuth();
  const { cart, clear } = useCart();
  const client = useQueryClient();
  // One flow per visit; the order's key is kept with the cart's content, so it outlives the visit.
  const [flow] = useState(
    () =>
      new CheckoutFlow(api, {
        orderKey: new IdempotencyKey({ storage: window.localStorage, name: CHECKOUT_KEY_STORAGE }),
      }),
  );
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
  const tooManyLines = !order && cart.length > MAX_ORDER_LINES;
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
  const failure = state.step === 'failed' ? state : undefined;
  return (
    <section aria-labelledby="checkout-title">
      <h1 id="checkout-title">Checkout</h1>
      {order ? (
        <p>
          Order <Link to={`/orders/${order.id}`}>{order.id.slice(0, 8)}</Link> is placed (
          {formatPrice(order.totalCents)}); it is not paid yet.
        </p>
      ) : (
        <>
          <ul aria-label="Order summary">
            {cart.map((l) => (
              <li key={l.productId}>
                {l.quantity} × {l.name} — {formatPrice(l.priceCents * l.quantity)}
              </li>
            ))}
          </ul>
          <p className="total">Total: {formatPrice(totalCents(cart))}</p>
        </>
      )}
      {tooManyLines && (
        <p role="alert" className="error">
          An order takes at most {MAX_ORDER_LINES} different products: <Link to="/cart">remove some</Link> and
          order the rest separately.
        </p>
      )}
      {failure &&
        (failure.order && failure.error.status === 402 ? (
          <div role="alert" className="error">
            <p>Payment declined: {declineReason(failure.error)}.</p>
          </div>
        ) : (
          <ErrorMessage error={failure.error} />
        ))}
      <button type="button" onClick={() => void submit()} disabled={busy || tooManyLines}>
        {busy ? 'Working…' : order ? 'Retry payment' : 'Place order and pay'}
      </button>
    </section>
  );
}
