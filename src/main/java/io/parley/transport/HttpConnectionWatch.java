package io.parley.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP timeouts of one connection, from its accept until it becomes a session (a {@code 101 Switching
 * Protocols}, for {@code /ws} and SockJS's WebSocket alike, after which the heartbeat watches it and this handler
 * leaves the pipeline). Sits just before Vert.x's connection handler, so it sees decoded requests going in and
 * responses going out; a second, tiny handler at the head of the pipeline tells it when bytes arrive.
 *
 * <ul>
 *   <li>While no request is being answered and a request has begun (or nothing came yet since the accept), its
 *   headers must be complete within {@code http.headerTimeoutMs}: else 408 and close (a plain close when the
 *   client sent nothing at all).</li>
 *   <li>While no request is being answered and none has begun, the connection is idle: closed after
 *   {@code http.idleTimeoutMs}.</li>
 *   <li>While a request is being answered (a SockJS streaming or polling response that stays open, an API call)
 *   neither applies.</li>
 * </ul>
 *
 * One timer per connection at a time, re-armed only when a deadline moves earlier; everything on the channel's
 * event loop.
 */
final class HttpConnectionWatch extends ChannelDuplexHandler {

  static final String NAME = "parley-http-watch";
  static final String BYTES_NAME = "parley-http-bytes";
  /** A check this late ran on a loop that was busy: it waits once more, so that reads pending meanwhile go first. */
  private static final long LATE_MS = 100;

  private final long headerTimeoutMs;
  private final long idleTimeoutMs;
  private final ConnectionMetrics metrics;
  private final boolean overAddressLimit;
  private ChannelHandlerContext ctx;
  /** Requests read whose response has not ended. */
  private int answering;
  /** A request has begun (or the connection is new) and its headers are not complete. */
  private boolean receiving = true;
  /** Bytes of the request being received arrived (else a timeout closes without a 408). */
  private boolean bytesSeen;
  private long receivingSinceMs = System.currentTimeMillis();
  private long idleSinceMs;
  private ScheduledFuture<?> check;
  private long checkAtMs;
  /** The deadline already given one more turn of the loop because its check ran late. */
  private long deferredDeadlineMs = -1;
  private boolean session;

  HttpConnectionWatch(long headerTimeoutMs, long idleTimeoutMs, ConnectionMetrics metrics, boolean overAddressLimit) {
    this.headerTimeoutMs = headerTimeoutMs;
    this.idleTimeoutMs = idleTimeoutMs;
    this.metrics = metrics;
    this.overAddressLimit = overAddressLimit;
  }

  /** True when the connection's address already had {@code limits.connectionsPerIp} open: refuse its request. */
  boolean overAddressLimit() {
    return overAddressLimit;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    ctx.pipeline().addFirst(BYTES_NAME, new BytesArriving());
    checkBy(receivingSinceMs + headerTimeoutMs);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      answering++;
      receiving = false;
      bytesSeen = false;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response
        && response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
      ctx.write(msg, promise);
      becameSession();
      return;
    }
    if (msg instanceof LastHttpContent && answering > 0 && --answering == 0 && !receiving) {
      idleSinceMs = System.currentTimeMillis();
      checkBy(idleSinceMs + idleTimeoutMs);
    }
    ctx.write(msg, promise);
  }

  /** Bytes came in (before decoding). */
  private void bytesArrived() {
    if (answering == 0) {
      if (!receiving) {
        receiving = true;
        receivingSinceMs = System.currentTimeMillis();
        checkBy(receivingSinceMs + headerTimeoutMs);
      }
      bytesSeen = true;
    }
  }

  /** The connection is a WebSocket now: its session's heartbeat takes over. */
  void becameSession() {
    if (session) {
      return;
    }
    session = true;
    if (check != null) {
      check.cancel(false);
      check = null;
    }
    ChannelHandlerContext bytes = ctx.pipeline().context(BYTES_NAME);
    if (bytes != null) {
      ctx.pipeline().remove(BYTES_NAME);
    }
    if (!ctx.isRemoved()) {
      ctx.pipeline().remove(this);
    }
  }

  /** Makes sure a check runs no later than {@code deadlineMs}. */
  private void checkBy(long deadlineMs) {
    if (check != null) {
      if (checkAtMs <= deadlineMs) {
        return;
      }
      check.cancel(false);
    }
    checkAtMs = deadlineMs;
    check = ctx.executor().schedule(this::check, Math.max(0, deadlineMs - System.currentTimeMillis()),
        TimeUnit.MILLISECONDS);
  }

  private void check() {
    check = null;
    if (session || !ctx.channel().isActive() || answering > 0) {
      return;
    }
    long now = System.currentTimeMillis();
    long deadline = receiving ? receivingSinceMs + headerTimeoutMs : idleSinceMs + idleTimeoutMs;
    if (now < deadline) {
      checkBy(deadline);
    } else if (now - checkAtMs > LATE_MS && deferredDeadlineMs != deadline) {
      // the loop was busy past the deadline: bytes it has not read yet may be the awaited request, so they go first
      deferredDeadlineMs = deadline;
      checkBy(now + LATE_MS);
    } else if (receiving) {
      metrics.timedOut(ConnectionMetrics.Timeout.HEADERS);
      if (bytesSeen) {
        FullHttpResponse timeout = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.EMPTY_BUFFER);
        timeout.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0)
            .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(timeout).addListener(ChannelFutureListener.CLOSE);
      } else {
        ctx.close();
      }
    } else {
      metrics.timedOut(ConnectionMetrics.Timeout.IDLE);
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (check != null) {
      check.cancel(false);
      check = null;
    }
    ctx.fireChannelInactive();
  }

  /** At the head of the pipeline: sees raw bytes before the HTTP decoder does. */
  private final class BytesArriving extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      bytesArrived();
      ctx.fireChannelRead(msg);
    }
  }
}
