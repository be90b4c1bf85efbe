const CATALOG_URL = process.env.CATALOG_URL ?? 'https://catalog.acme.internal';

export async function listFeatured(): Promise<{ id: string; name: string }[]> {
  const res = await fetch(`${CATALOG_URL}/featured`, { next: { revalidate: 60 } });
  return res.json();
}
