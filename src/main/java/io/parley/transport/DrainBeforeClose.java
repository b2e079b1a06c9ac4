package io.parley.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * On the connection of a SockJS receiving response (polling, streaming, EventSource): a close waits until what was
 * written before it is on the socket, at most {@code timeoutMs}. vertx-web ends such a response and closes its
 * connection at once (a poll after each frame, a stream past {@code maxBytesStreaming}); Netty drops whatever is
 * still in its outbound buffer on close, so a client a little behind lost messages and saw the response cut (1006),
 * and a slow consumer never received its {@code disconnect} 4008. A client that does not read for that long is cut
 * as before.
 */
final class DrainBeforeClose extends ChannelOutboundHandlerAdapter {

  static final String NAME = "parley-drain-before-close";

  private final long timeoutMs;
  private boolean closing;

  DrainBeforeClose(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (closing || !ctx.channel().isActive()) {
      ctx.close(promise);
      return;
    }
    closing = true;
    ScheduledFuture<?> timeout = ctx.executor().schedule(() -> ctx.close(promise), timeoutMs, TimeUnit.MILLISECONDS);
    // written after everything before it, so done once they are
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
      if (timeout.cancel(false)) {
        ctx.close(promise);
      }
    });
  }
}
