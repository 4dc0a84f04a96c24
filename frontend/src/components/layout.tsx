import { Link, NavLink, Outlet, useNavigate } from 'react-router';
import { useAuth } from '../auth/auth-context.tsx';
import { itemCount } from '../cart/cart.ts';
import { useCart } from '../cart/use-cart.ts';

export function Layout() {
  const { identity, signOut } = useAuth();
  const { cart } = useCart();
  const navigate = useNavigate();
  const count = itemCount(cart);
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand">
          stackdrill shop
        </Link>
        <nav aria-label="Main">
          <NavLink to="/">Catalogue</NavLink>
          <NavLink to="/cart">{`Cart (${count})`}</NavLink>
          {identity && <NavLink to="/orders">My orders</NavLink>}
          {identity && <NavLink to="/notifications">Notifications</NavLink>}
          {identity?.role === 'admin' && <NavLink to="/admin/dashboard">Dashboard</NavLink>}
          {identity?.role === 'admin' && <NavLink to="/admin/products/new">New product</NavLink>}
          {identity ? (
            <button
              type="button"
              className="link"
              onClick={() => {
                signOut();
                void navigate('/');
              }}
            >
              Sign out ({identity.email})
            </button>
          ) : (
            <>
              <NavLink to="/signin">Sign in</NavLink>
              <NavLink to="/register">Register</NavLink>
            </>
          )}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
