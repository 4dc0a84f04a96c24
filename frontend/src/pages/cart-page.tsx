import { Link } from 'react-router';
import { formatPrice, MAX_QUANTITY, totalCents } from '../cart/cart.ts';
import { useCart } from '../cart/use-cart.ts';

export function CartPage() {
  const { cart, setQuantity, remove } = useCart();
  if (cart.length === 0) {
    return (
      <section aria-labelledby="cart-title">
        <h1 id="cart-title">Cart</h1>
        <p>
          Your cart is empty. <Link to="/">Browse the catalogue</Link>.
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby="cart-title">
      <h1 id="cart-title">Cart</h1>
      <table>
        <caption className="visually-hidden">Products in the cart</caption>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Price</th>
            <th scope="col">Quantity</th>
            <th scope="col">Subtotal</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {cart.map((line) => (
            <tr key={line.productId}>
              <td>
                <Link to={`/products/${line.productId}`}>{line.name}</Link>
              </td>
              <td>{formatPrice(line.priceCents)}</td>
              <td>
                <input
                  type="number"
                  min={1}
                  max={MAX_QUANTITY}
                  aria-label={`Quantity of ${line.name}`}
                  value={line.quantity}
                  onChange={(e) => setQuantity(line.productId, Number(e.target.value))}
                />
              </td>
              <td>{formatPrice(line.priceCents * line.quantity)}</td>
              <td>
                <button
                  type="button"
                  onClick={() => remove(line.productId)}
                  aria-label={`Remove ${line.name}`}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="total">
        Total: <strong data-testid="cart-total">{formatPrice(totalCents(cart))}</strong>
      </p>
      <Link to="/checkout" className="button">
        Checkout
      </Link>
    </section>
  );
}
