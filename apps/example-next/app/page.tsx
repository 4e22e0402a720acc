import Link from 'next/link';

export default function Home() {
  return (
    <main>
      <h1>Tributary × Next.js</h1>
      <p>Every page view here is recorded by the proxy; the API routes track what they do.</p>
      <ul>
        <li>
          <Link href="/products">Products</Link> (a Server Component that tracks)
        </li>
        <li>
          <Link href="/newsletter">Newsletter</Link> (a Server Action)
        </li>
        <li>
          <a href="/api/products?q=tea">GET /api/products</a>, <a href="/api/edge">GET /api/edge</a>
          , <a href="/api/legacy">GET /api/legacy</a>
        </li>
      </ul>
    </main>
  );
}
