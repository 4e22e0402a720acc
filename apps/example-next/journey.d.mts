/** Result of {@link runNextJourney}. */
export interface NextJourneyResult {
  /** The id the proxy seeded in `ajs_anonymous_id`. */
  anonymousId: string | undefined;
  userId: string;
  steps: { step: string; status: number }[];
}

/** Drives the example app over HTTP like a visitor: browsing, search, a Server Action, checkout, the Pages and edge routes. */
export function runNextJourney(
  baseUrl: string,
  options?: { userId?: string },
): Promise<NextJourneyResult>;

/** Submits a page's `<form action={serverAction}>` the way a browser without JavaScript does. */
export function submitServerAction(
  baseUrl: string,
  path: string,
  fields: Record<string, string>,
  headers?: Record<string, string>,
): Promise<Response>;
