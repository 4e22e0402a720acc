// The application code under test in the core README's testing excerpt.
function signUp(analytics: import('@tributary/core').Analytics, userId: string): void {
  analytics.track(userId, 'Signed Up', { plan: 'free' });
}
