'use server';

import { getAnalytics } from '@tributary/next';
import { cookies } from 'next/headers';
import { demoUser } from '../../lib/analytics-options';

/** A Server Action: tracked with the request's context and the signed-in user, delivered after the response. */
export async function subscribe(formData: FormData): Promise<void> {
  const value = formData.get('list');
  const list = typeof value === 'string' ? value : 'weekly';
  const cookieStore = await cookies();
  const analytics = await getAnalytics({ userId: demoUser(cookieStore.toString()) });
  analytics.track({ event: 'Newsletter Subscribed', properties: { list } });
}
