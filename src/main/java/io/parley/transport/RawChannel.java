package io.parley.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.WriteBufferWaterMark;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.impl.WebSocketImplBase;

import java.lang.reflect.Field;

/**
 * The Netty channel under a Vert.x WebSocket, for the one hot path that must not go through Vert.x: writing the
 * same pre-framed room message to thousands of members. Vert.x would wrap, encode and queue it again for each;
 * here each member costs a buffer view and a write. Reaches into Vert.x internals, so it is all or nothing: when
 * anything is not as expected, {@link #of} returns null and the caller uses the public API.
 */
final class RawChannel {

  private static final Field WRAPPED = wrappedField();

  private final ChannelHandlerContext context;

  private RawChannel(ChannelHandlerContext context) {
    this.context = context;
  }

  static RawChannel of(ServerWebSocket socket) {
    try {
      ServerWebSocket inner = socket;
      if (WRAPPED != null && WRAPPED.getDeclaringClass().isInstance(socket)) {
        inner = (ServerWebSocket) WRAPPED.get(socket);
      }
      return inner instanceof WebSocketImplBase<?> impl ? new RawChannel(impl.channelHandlerContext()) : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** vertx-web wraps the socket of a routed upgrade; its delegate is the Vert.x one. */
  private static Field wrappedField() {
    try {
      Field field = Class.forName("io.vertx.ext.web.impl.ServerWebSocketWrapper").getDeclaredField("delegate");
      field.setAccessible(true);
      return field;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** Bounds what the channel buffers for a client that does not read: past it, it reports not writable. */
  void limitQueue(int maxQueuedBytes) {
    context.channel().config().setWriteBufferWaterMark(
        new WriteBufferWaterMark(Math.max(1, maxQueuedBytes / 2), maxQueuedBytes));
  }

  /** True when more than the limit is queued for the client. */
  boolean isFull() {
    return !context.channel().isWritable();
  }

  /**
   * Writes an already framed WebSocket message (header and payload): the frame encoder lets a plain buffer
   * through. Must run on the channel's event loop, as every session does.
   */
  void writeFramed(ByteBuf framed) {
    context.writeAndFlush(framed.retainedDuplicate(), context.voidPromise());
  }
}
