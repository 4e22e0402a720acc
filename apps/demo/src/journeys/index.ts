import { anonymousBrowsing } from './anonymous-browsing.js';
import { expressShop } from './express-shop.js';
import type { Journey } from './journey.js';
import { mobileApp } from './mobile-app.js';
import { nestShop } from './nest-shop.js';
import { nextShop } from './next-shop.js';
import { purchases } from './purchases.js';
import { signUp } from './sign-up.js';
import { team } from './team.js';

export type { Journey, JourneyContext, Visitor } from './journey.js';

/**
 * The journeys `npm run demo` runs, in order. Add one per example app here (a file per journey);
 * it runs after these with the same collector and visitor.
 */
export const journeys: Journey[] = [
  anonymousBrowsing,
  signUp,
  team,
  purchases,
  mobileApp,
  expressShop,
  nestShop,
  nextShop,
];
