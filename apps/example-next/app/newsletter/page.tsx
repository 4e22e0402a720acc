import { subscribe } from './actions';

export default function NewsletterPage() {
  return (
    <main>
      <h1>Newsletter</h1>
      <form action={subscribe}>
        <select name="list" defaultValue="weekly">
          <option value="weekly">Weekly</option>
          <option value="product">Product news</option>
        </select>
        <button type="submit">Subscribe</button>
      </form>
    </main>
  );
}
