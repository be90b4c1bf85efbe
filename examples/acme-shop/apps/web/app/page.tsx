import { listFeatured } from '@/lib/catalog';

export default async function Home() {
  const products = await listFeatured();
  return (
    <main>
      <h1>Acme Shop — новинки недели 🛒</h1>
      <ul>{products.map((p) => <li key={p.id}>{p.name}</li>)}</ul>
    </main>
  );
}
