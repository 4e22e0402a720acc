// The app's own auth helper: no user when signed out.
declare function currentUserId(): Promise<string | undefined>;
