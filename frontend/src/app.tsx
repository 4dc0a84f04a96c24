import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useMemo } from 'react';
import { createBrowserRouter, RouterProvider, type RouteObject } from 'react-router';
import { ApiError } from './api/client.ts';
import { AuthProvider } from './auth/auth-context.tsx';
import { Layout } from './components/layout.tsx';
import { RequireAuth } from './components/require-auth.tsx';
import { RouteError } from './components/route-error.tsx';
import { Loading } from './components/status.tsx';
import { CartPage } from './pages/cart-page.tsx';
import { CataloguePage } from './pages/catalogue-page.tsx';
import { CheckoutPage } from './pages/checkout-page.tsx';
import { NewProductPage } from './pages/new-product-page.tsx';
import { NotificationsPage } from './pages/notifications-page.tsx';
import { OrderPage, OrdersPage } from './pages/orders-page.tsx';
import { ProductPage } from './pages/product-page.tsx';
import { RegisterPage, SignInPage } from './pages/sign-in-page.tsx';

// The charts library is large: only admins who open the dashboard download it.
const DashboardPage = lazy(() => import('./pages/dashboard-page.tsx'));

const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      {
        // A page that fails to render shows its error inside the layout, navigation and all.
        errorElement: <RouteError />,
        children: [
          { path: '/', element: <CataloguePage /> },
          { path: '/products/:id', element: <ProductPage /> },
          { path: '/cart', element: <CartPage /> },
          { path: '/signin', element: <SignInPage /> },
          { path: '/register', element: <RegisterPage /> },
          {
            path: '/checkout',
            element: (
              <RequireAuth>
                <CheckoutPage />
              </RequireAuth>
            ),
          },
          {
            path: '/orders',
            element: (
              <RequireAuth>
                <OrdersPage />
              </RequireAuth>
            ),
          },
          {
            path: '/orders/:id',
            element: (
              <RequireAuth>
                <OrderPage />
              </RequireAuth>
            ),
          },
          {
            path: '/notifications',
            element: (
              <RequireAuth>
                <NotificationsPage />
              </RequireAuth>
            ),
          },
          {
            path: '/admin/products/new',
            element: (
              <RequireAuth admin>
                <NewProductPage />
              </RequireAuth>
            ),
          },
          {
            path: '/admin/dashboard',
            element: (
              <RequireAuth admin>
                <Suspense fallback={<Loading what="the dashboard" />}>
                  <DashboardPage />
                </Suspense>
              </RequireAuth>
            ),
          },
          { path: '*', element: <p role="alert">There is no page here.</p> },
        ],
      },
    ],
  },
];

export function App() {
  const router = useMemo(() => createBrowserRouter(routes), []);
  const queries = useMemo(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 10_000,
            // 4xx answers are final, and a 429 asks us to wait (the page says how long); a network
            // error or a 503 is worth one more try before the page shows it.
            retry: (count, error) =>
              count < 1 && (!(error instanceof ApiError) || [0, 503].includes(error.status)),
          },
        },
      }),
    [],
  );
  // The session ended (the refresh token was refused): sign in again, then come back here.
  const onSignedOut = useCallback(() => {
    const here = `${window.location.pathname}${window.location.search}`;
    if (window.location.pathname !== '/signin')
      void router.navigate(`/signin?next=${encodeURIComponent(here)}`);
  }, [router]);
  return (
    <QueryClientProvider client={queries}>
      <AuthProvider onSignedOut={onSignedOut}>
        <RouterProvider router={router} />
      </AuthProvider>
    </QueryClientProvider>
  );
}
