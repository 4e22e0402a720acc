import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
} from '@nestjs/websockets';
import { AnalyticsService, Track } from '@tributary/nestjs';
import type { Socket } from 'socket.io';

/**
 * A Socket.IO gateway on the application's own HTTP server. A connection signs in with
 * `auth: { token }`; each message is tracked with the handshake's identity and context.
 */
@WebSocketGateway()
export class LiveGateway implements OnGatewayConnection {
  constructor(private readonly analytics: AnalyticsService) {}

  handleConnection(client: Socket): void {
    const token = (client.handshake.auth as { token?: unknown }).token;
    if (typeof token === 'string') (client.data as { user?: unknown }).user = { id: token };
  }

  @SubscribeMessage('watch')
  @Track('Product Watched', {
    properties: ({ body }) => ({ productId: (body as { productId: string }).productId }),
  })
  async watch(
    @MessageBody() body: { productId: string },
    @ConnectedSocket() _client: Socket,
  ): Promise<{ watching: string }> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.analytics.track('Watch Started', { productId: body.productId });
    return { watching: body.productId };
  }
}
