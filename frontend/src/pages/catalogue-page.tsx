import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { ProductQuery } from '../api/endpoints.ts';
import { useAuth } from '../auth/auth-context.tsx';
import { formatPrice } from '../cart/cart.ts';
import { ErrorMessage, Loading } from '../components/status.tsx';

const SORTS: Record<NonNullable<ProductQuery['sort']>, string> = {
  newest: 'Newest',
  price_asc: 'Price: low to high',
  price_desc: 'Price: high to low',
  name: 'Name',
};

/** The catalogue: search, category filter, sort, and cursor pages ("Load more"). */
export function CataloguePage() {
  const { api } = useAuth();
  const [params, setParams] = useSearchParams();
  const filters: ProductQuery = {
    ...(params.get('q') ? { q: params.get('q')! } : {}),
    ...(params.get('category') ? { category: params.get('category')! } : {}),
    sort: (params.get('sort') as ProductQuery['sort']) ?? 'newest',
  };
  const [text, setText] = useState(filters.q ?? '');
  const [category, setCategory] = useState(filters.category ?? '');
  const products = useInfiniteQuery({
    queryKey: ['products', filters],
    queryFn: ({ pageParam }) =>
      api.products({ ...filters, limit: 12, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next);
  };
  const onSearch = (event: FormEvent) => {
    event.preventDefault();
    update({ q: text.trim(), category: category.trim().toLowerCase() });
  };
  const items = useMemo(() => products.data?.pages.flatMap((p) => p.items) ?? [], [products.data]);
  // There is no category list in the API: suggest the ones seen so far.
  const [seen, setSeen] = useState<string[]>([]);
  const categories = useMemo(
    () => [...new Set([...seen, ...items.map((p) => p.category)])].sort(),
    [seen, items],
  );
  if (categories.length !== seen.length) setSeen(categories);

  return (
    <section aria-labelledby="catalogue-title">
      <h1 id="catalogue-title">Catalogue</h1>
      <form role="search" onSubmit={onSearch} className="filters">
        <label>
          Search products
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} maxLength={100} />
        </label>
        <button type="submit">Search</button>
        <label>
          Category
          <input
            list="categories"
            value={category}
            onChange={(e) => setCategory(e.target.value)}
            placeholder="All categories"
            pattern="[a-z0-9-]{2,40}"
            title="lower-case letters, digits and dashes"
          />
          <datalist id="categories">
            {categories.map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
        </label>
        <label>
          Sort by
          <select value={filters.sort} onChange={(e) => update({ sort: e.target.value })}>
            {Object.entries(SORTS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </form>
      {products.isPending && <Loading what="products" />}
      {products.isError && <ErrorMessage error={products.error} onRetry={() => void products.refetch()} />}
      {products.isSuccess && items.length === 0 && <p>No products match this search.</p>}
      <ul className="grid" aria-label="Products">
        {items.map((p) => (
          <li key={p.id} className="card">
            <Link to={`/products/${p.id}`}>{p.name}</Link>
            <span className="muted">{p.category}</span>
            <span className="price">{formatPrice(p.priceCents)}</span>
          </li>
        ))}
      </ul>
      {products.hasNextPage && (
        <button
          type="button"
          onClick={() => void products.fetchNextPage()}
          disabled={products.isFetchingNextPage}
        >
          {products.isFetchingNextPage ? 'Loading more…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
