// What the core README's excerpts take from the quick start: a client.
declare const analytics: import('@tributary/core').Analytics;
