import { Injectable } from '@nestjs/common';
import { AnalyticsService } from '@tributary/nestjs';
import type { Review } from './catalog.js';

/** Called from a field resolver: its event must carry the request's scope. */
@Injectable()
export class ReviewsService {
  constructor(private readonly analytics: AnalyticsService) {}

  async forProduct(productId: string): Promise<Review[]> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.analytics.track('Reviews Loaded', { productId });
    return [{ stars: 5, text: 'Great' }];
  }
}
