import { useQuery } from '@tanstack/react-query';
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
  const sales = useQuery({ queryKey: ['sales'], queryFn: () => api.sales('day'), refetchInterval: 15000 });
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
          <Kpi label="Orders, last 5 min" value={dashboard.data.live.ordersLast5Min} />
          <Kpi label="Product views, last 5 min" value={dashboard.data.live.productViewsLast5Min} />
        </dl>
      )}
      <h2>Sales over time</h2>
      {sales.isPending && <Loading what="sales" />}
      {sales.isError && <ErrorMessage error={sales.error} onRetry={() => void sales.refetch()} />}
      {sales.data && (
        <figure>
          <ResponsiveContainer width="100%" height={220}>
            <LineChart
              data={sales.data.buckets.map((b) => ({
                day: b.start.slice(0, 10),
                revenue: b.revenueCents / 100,
              }))}
            >
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" />
              <YAxis />
              <Tooltip />
              <Line type="monotone" dataKey="revenue" stroke="#2563eb" />
            </LineChart>
          </ResponsiveContainer>
          <figcaption>
            Revenue per day:{' '}
            {sales.data.buckets
              .map((b) => `${b.start.slice(0, 10)} ${formatPrice(b.revenueCents)}`)
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
              <Bar dataKey="units" fill="#16a34a" />
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
