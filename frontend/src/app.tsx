import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useMemo } from 'react';
import { createBrowserRouter, RouterProvider, type RouteObject } from 'react-router';
import { ApiError } from './api/client.ts';
import { AuthProvider } from './auth/auth-context.tsx';
import { Layout } from './components/layout.tsx';
import { RequireAuth } from './components/require-auth.tsx';
import { ErrorMessage, Loading } from './components/status.tsx';
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
    errorElement: <ErrorMessage error={new Error('This page could not be shown.')} />,
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
];

export function App() {
  const router = useMemo(() => createBrowserRouter(routes), []);
  const queries = useMemo(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 10_000,
            // 4xx answers are final; a 429/503 or a network error is worth one more try.
            retry: (count, error) =>
              count < 1 && (!(error instanceof ApiError) || [0, 429, 503].includes(error.status)),
          },
        },
      }),
    [],
  );
  return (
    <QueryClientProvider client={queries}>
      <AuthProvider
        onSignedOut={() => {
          const next = encodeURIComponent(`${window.location.pathname}${window.location.search}`);
          void router.navigate(`/signin?next=${next}`);
        }}
      >
        <RouterProvider router={router} />
      </AuthProvider>
    </QueryClientProvider>
  );
}
