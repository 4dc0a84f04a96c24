import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useAuth } from '../auth/auth-context.tsx';
import { formatPrice } from '../cart/cart.ts';
import { ErrorMessage, Loading } from '../components/status.tsx';

/** Admin: KPIs and live counters (polled), sales over time and top products, as charts and as text. */
export default function DashboardPage() {
  const { api } = useAuth();
  const dashboard = useQuery({
    queryKey: ['dashboard'],
    queryFn: () => api.dashboard(),
    refetchInterval: 5000,
  });
  const [interval, setSalesInterval] = useState<'day' | 'hour'>('day');
  const sales = useQuery({
    queryKey: ['sales', interval],
    // Per day over the last 7 days (the API's default range), or per hour over the last 24 hours.
    queryFn: () =>
      api.sales(
        interval,
        interval === 'hour' ? new Date(Date.now() - 24 * 3600_000).toISOString() : undefined,
      ),
    refetchInterval: 15000,
  });
  const bucketLabel = (start: string) =>
    interval === 'day' ? start.slice(0, 10) : `${start.slice(5, 10)} ${start.slice(11, 16)}`;
  const top = useQuery({
    queryKey: ['top-products'],
    queryFn: () => api.topProducts(),
    refetchInterval: 15000,
  });

  return (
    <section aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">Dashboard</h1>
      <h2>Key figures (last 7 days)</h2>
      {dashboard.isPending && <Loading what="the key figures" />}
      {dashboard.isError && <ErrorMessage error={dashboard.error} onRetry={() => void dashboard.refetch()} />}
      {dashboard.data && (
        <dl className="kpis" aria-label="Key figures">
          <Kpi label="Orders placed" value={dashboard.data.kpis.ordersPlaced} />
          <Kpi label="Orders paid" value={dashboard.data.kpis.ordersPaid} />
          <Kpi label="Revenue" value={formatPrice(dashboard.data.kpis.revenueCents)} />
          <Kpi label="New customers" value={dashboard.data.kpis.customers} />
          <Kpi label="Payment failures" value={dashboard.data.kpis.paymentFailures} />
          <Kpi label="Notifications sent" value={dashboard.data.kpis.notificationsSent} />
          <Kpi label="Notifications failed" value={dashboard.data.kpis.notificationsFailed} />
          <Kpi label="Orders, last 5 min" value={dashboard.data.live.ordersLast5Min} />
          <Kpi label="Product views, last 5 min" value={dashboard.data.live.productViewsLast5Min} />
        </dl>
      )}
      {dashboard.data && (
        <p className="muted">
          Live figures, refreshed every 5 seconds; last update{' '}
          {new Date(dashboard.data.generatedAt).toLocaleTimeString()}.
        </p>
      )}
      <h2>Recent orders</h2>
      {dashboard.data &&
        (dashboard.data.recentOrders.length ? (
          <ol aria-label="Recent orders">
            {dashboard.data.recentOrders.map((o) => (
              <li key={o.orderId}>
                Order {o.orderId.slice(0, 8)}: {formatPrice(o.totalCents)}, placed{' '}
                {new Date(o.placedAt).toLocaleString()}
              </li>
            ))}
          </ol>
        ) : (
          <p className="muted">No orders yet.</p>
        ))}
      <h2>Sales over time</h2>
      <label>
        Interval
        <select value={interval} onChange={(e) => setSalesInterval(e.target.value as 'day' | 'hour')}>
          <option value="day">Per day, last 7 days</option>
          <option value="hour">Per hour, last 24 hours</option>
        </select>
      </label>
      {sales.isPending && <Loading what="sales" />}
      {sales.isError && <ErrorMessage error={sales.error} onRetry={() => void sales.refetch()} />}
      {sales.data && (
        <figure>
          <ResponsiveContainer width="100%" height={220}>
            <LineChart
              data={sales.data.buckets.map((b) => ({
                period: bucketLabel(b.start),
                revenue: b.revenueCents / 100,
                orders: b.orders,
              }))}
            >
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="period" />
              <YAxis />
              <Tooltip />
              <Line type="monotone" dataKey="revenue" stroke="#2563eb" isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
          <figcaption>
            Revenue per {interval}:{' '}
            {sales.data.buckets
              .map(
                (b) =>
                  `${bucketLabel(b.start)} ${formatPrice(b.revenueCents)} (${b.orders} ${b.orders === 1 ? 'order' : 'orders'})`,
              )
              .join(', ') || 'no sales yet'}
          </figcaption>
        </figure>
      )}
      <h2>Top products</h2>
      {top.isPending && <Loading what="top products" />}
      {top.isError && <ErrorMessage error={top.error} onRetry={() => void top.refetch()} />}
      {top.data && (
        <figure>
          <ResponsiveContainer width="100%" height={220}>
            <BarChart data={top.data.items}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="name" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Bar dataKey="units" fill="#16a34a" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
          <figcaption>
            <ol aria-label="Top products">
              {top.data.items.map((p) => (
                <li key={p.productId}>
                  {p.name}: {p.units} units, {formatPrice(p.revenueCents)}
                </li>
              ))}
            </ol>
          </figcaption>
        </figure>
      )}
    </section>
  );
}

function Kpi({ label, value }: { label: string; value: string | number }) {
  return (
    <div className="kpi">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}
