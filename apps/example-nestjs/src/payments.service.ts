import { Injectable } from '@nestjs/common';
import { TrackMethod } from '@tributary/nestjs';

/** A provider method tracked with `@TrackMethod()`: interceptors only see controller handlers. */
@Injectable()
export class PaymentsService {
  @TrackMethod<{ paymentId: string }>('Payment Authorized', {
    properties: ({ args, result }) => ({ amount: args[0] as number, paymentId: result?.paymentId }),
  })
  async authorize(amount: number): Promise<{ paymentId: string }> {
    await new Promise((resolve) => setTimeout(resolve, 2));
    return { paymentId: `pay-${Math.round(amount * 100)}` };
  }
}
