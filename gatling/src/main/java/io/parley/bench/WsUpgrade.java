package io.parley.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The client side of the WebSocket upgrade, written by hand: it sends a precomputed request ({@link UpgradeRequest}) and checks the
 * response's status line and {@code Sec-WebSocket-Accept}, then puts Netty's frame encoder and the bench's own
 * {@link ServerFrameReader} in its place. Netty's handshaker built an HTTP codec, an aggregator, a random key and a
 * SHA-1 digest for every connection; this costs a buffer copy. Every connection sends the same key: the RFC asks
 * clients for a fresh one, but it only protects against caching proxies, and there are none between the bench and
 * the node.
 */
final class WsUpgrade extends ChannelInboundHandlerAdapter {

  /** The accept value {@link UpgradeRequest#KEY} implies (RFC 6455, section 1.3). Only the value: Netty-based servers write header names in lower case, others capitalised. */
  private static final ByteBuf ACCEPT = constant("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  private static final byte[] SWITCHING = Wire.ascii("HTTP/1.1 101");
  private static final ByteBuf HEADERS_END = constant("\r\n\r\n");
  private static final int MAX_RESPONSE = 8192;
  private static final long TIMEOUT_SECONDS = 30;

  private final UpgradeRequest request;
  /** The user's token for the URL, or null when it authenticates with an {@code auth} frame. */
  private final String urlToken;
  private final int maxFrame;
  private final WsConnection connection;
  private ByteBuf response;
  private ScheduledFuture<?> timeout;

  WsUpgrade(UpgradeRequest request, String urlToken, int maxFrame, WsConnection connection) {
    this.request = request;
    this.urlToken = urlToken;
    this.maxFrame = maxFrame;
    this.connection = connection;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    timeout = ctx.executor().schedule(() -> fail(ctx, "WebSocket handshake timed out"), TIMEOUT_SECONDS, TimeUnit.SECONDS);
    ctx.writeAndFlush(urlToken == null ? request.shared() : request.withToken(ctx.alloc(), urlToken));
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    if (response == null) {
      response = in;
    } else {
      response = ctx.alloc().compositeBuffer().addComponents(true, response, in);
    }
    int end = ByteBufUtil.indexOf(HEADERS_END, response);
    if (end < 0) {
      if (response.readableBytes() > MAX_RESPONSE) {
        fail(ctx, "WebSocket handshake response too long");
      }
      return;
    }
    int headersEnd = end + HEADERS_END.readableBytes();
    if (!Wire.startsWith(response, SWITCHING) || !containsBefore(response, ACCEPT, headersEnd)) {
      fail(ctx, "WebSocket handshake refused: "
          + response.toString(response.readerIndex(), Math.min(200, end - response.readerIndex()), StandardCharsets.US_ASCII));
      return;
    }
    timeout.cancel(false);
    ctx.pipeline().addAfter(ctx.name(), "ws-encoder", new WebSocket13FrameEncoder(true));
    ctx.pipeline().addAfter(ctx.name(), "ws-reader", new ServerFrameReader(maxFrame, connection));
    ByteBuf rest = response.readerIndex(headersEnd);
    response = null;
    ctx.pipeline().remove(this);
    connection.opened().complete(connection);
    if (rest.isReadable()) {
      ctx.fireChannelRead(rest);
    } else {
      rest.release();
    }
  }

  private static boolean containsBefore(ByteBuf buf, ByteBuf needle, int end) {
    int at = ByteBufUtil.indexOf(needle, buf);
    return at >= 0 && at < end;
  }

  private static ByteBuf constant(String ascii) {
    return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(Wire.ascii(ascii)).asReadOnly());
  }

  private void fail(ChannelHandlerContext ctx, String reason) {
    connection.opened().completeExceptionally(new IllegalStateException(reason));
    ctx.close();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (timeout != null) {
      timeout.cancel(false);
    }
    if (response != null) {
      response.release();
      response = null;
    }
  }
}
