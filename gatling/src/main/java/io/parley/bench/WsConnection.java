package io.parley.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One bench client: a WebSocket that sends requests (matched to their replies by integer id) and hands pushes to
 * the scenario's {@link FrameListener}. It is the last handler of its channel's pipeline, for the channel's
 * life cycle; frames come to it as calls from {@link ServerFrameReader}. {@link WsUpgrade} completes
 * {@link #opened()} once the handshake is done.
 */
final class WsConnection extends ChannelInboundHandlerAdapter implements InboundFrames {

  /** The user's index in the scenario. */
  final int user;
  /** Which {@code --url} this connection went to. */
  final int node;
  private final FrameListener listener;
  private final CompletableFuture<WsConnection> opened = new CompletableFuture<>();
  private final AtomicInteger nextId = new AtomicInteger();
  private final Map<Integer, CompletableFuture<String>> pending = new ConcurrentHashMap<>(4);
  private volatile Channel channel;
  private volatile int closeCode = -1;
  /** Scenario state (e.g. the last seq seen), touched on the event loop only. */
  long lastSeq = -1;

  WsConnection(int user, int node, FrameListener listener) {
    this.user = user;
    this.node = node;
    this.listener = listener;
  }

  CompletableFuture<WsConnection> opened() {
    return opened;
  }

  io.netty.channel.EventLoop channelEventLoop() {
    return channel.eventLoop();
  }

  boolean isOpen() {
    Channel ch = channel;
    return ch != null && ch.isActive();
  }

  /** Sends {@code {"type":type,"id":n,<fields>}} and completes with the reply's text, or fails on an error reply. */
  CompletableFuture<String> request(String type, String fields) {
    int id = nextId.incrementAndGet();
    CompletableFuture<String> reply = new CompletableFuture<>();
    pending.put(id, reply);
    send(frame(type, id, fields)).addListener(f -> {
      if (!f.isSuccess()) {
        pending.remove(id);
        reply.completeExceptionally(f.cause());
      }
    });
    return reply;
  }

  /** Sends a request whose reply goes to {@link FrameListener#onAck} or {@link FrameListener#onError}. */
  void fire(String type, String fields) {
    send(frame(type, nextId.incrementAndGet(), fields));
  }

  /** Like {@link #fire} but without an id: the node skips its cluster-wide de-duplication of retries. */
  void fireWithoutId(String type, String fields) {
    send("{\"type\":\"" + type + "\"," + fields + "}");
  }

  private static String frame(String type, int id, String fields) {
    return "{\"type\":\"" + type + "\",\"id\":" + id + (fields.isEmpty() ? "" : "," + fields) + "}";
  }

  private io.netty.channel.ChannelFuture send(String text) {
    // Encoded into the channel's pooled allocator; new TextWebSocketFrame(String) copies into an unpooled heap buffer.
    return channel.writeAndFlush(new TextWebSocketFrame(ByteBufUtil.writeUtf8(channel.alloc(), text)));
  }

  /** Sends a close frame (1000) and closes the socket. */
  void close() {
    Channel ch = channel;
    if (ch != null && ch.isActive()) {
      ch.writeAndFlush(new CloseWebSocketFrame(1000, "bench done")).addListener(f -> ch.close());
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void onText(ByteBuf buf, int index, int length) {
    InboundText text = InboundText.copy(buf, index, length);
    if (text.startsWith(Wire.ROOM_MESSAGE)) {
      long now = System.nanoTime();
      RoomMessage m = text.roomMessage();
      listener.onRoomMessage(this, m.roomNumber, m.seq, m.sentNanos, now);
    } else if (text.startsWith(Wire.PRESENCE)) {
      listener.onPresence(this);
    } else if (text.startsWith(Wire.OK)) {
      onReply(true, text.toString());
    } else if (text.startsWith(Wire.ERROR)) {
      onReply(false, text.toString());
    }
  }

  /** An ok or error frame: it answers the pending request with its id, else a fire-and-forget one. */
  private void onReply(boolean ok, String text) {
    int id = Wire.replyId(text);
    CompletableFuture<String> reply = id < 0 ? null : pending.remove(id);
    if (reply != null) {
      if (ok) {
        reply.complete(text);
      } else {
        reply.completeExceptionally(new IllegalStateException("error reply: " + text));
      }
    } else if (ok) {
      listener.onAck(this, text);
    } else {
      listener.onError(this, Wire.errorCode(text));
    }
  }

  @Override
  public void onPing(ByteBuf buf, int index, int length) {
    // Copied: buf is the reader's, released once this returns, and the pong may wait for a full socket buffer.
    channel.writeAndFlush(new PongWebSocketFrame(channel.alloc().buffer(length).writeBytes(buf, index, length)));
  }

  @Override
  public void onClose(int statusCode) {
    closeCode = statusCode;
    channel.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    opened.completeExceptionally(cause);
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    IllegalStateException closed = new IllegalStateException("connection closed (code " + closeCode + ")");
    opened.completeExceptionally(closed);
    pending.values().forEach(reply -> reply.completeExceptionally(closed));
    pending.clear();
    listener.onClosed(this, closeCode);
  }
}
