// packages/core/README.md, "Quick start", pointed at the local collector as the README suggests.
import { Analytics } from '@tributary/core';

const analytics = new Analytics({
  writeKey: process.env.SEGMENT_WRITE_KEY ?? 'YOUR_WRITE_KEY',
  host: process.env.TRIBUTARY_HOST,
});

analytics.identify('019mr8mf4r', { email: 'john@example.com', name: 'John Smith', friends: 30 });
analytics.track('f4ca124298', 'Signed Up', { plan: 'Enterprise' });
analytics.page('user_id', 'Docs', 'Python', { url: 'http://segment.com' });
analytics.screen('user_id', 'Settings', 'Brightness', { from: 'Home Screen' });
analytics.group('user_id', 'group_id', { name: 'Initech', domain: 'Accounting Software' });
analytics.alias('92734232-2342423423-973945', '1234');

// Before the process ends (a script that simply ends is delivered too, on `beforeExit`):
await analytics.close();
