package io.parley.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.parley.metrics.ParleyMetrics;
import io.parley.protocol.CloseCode;
import io.parley.protocol.Frames;
import io.parley.protocol.SharedFrame;
import io.parley.session.Session;
import io.parley.session.Transport;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.VertxConnection;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.nio.charset.StandardCharsets;

/**
 * A SockJS session ({@code /sockjs}, any SockJS transport), held to the same limits as {@code /ws}:
 * <ul>
 *   <li>Outbound queue: vertx-web's own count ({@code writeQueueFull}) is reset whenever a transport takes the
 *   pending messages, so over WebSocket or a streaming response it never fills however far the client is behind.
 *   Here every write counts until vertx-web reports it written to the socket (its write future), whatever the
 *   transport: the characters not yet handed to the client's TCP connection.</li>
 *   <li>Liveness: over SockJS's WebSocket transports (and the raw {@code /sockjs/websocket}) the WebSocket ping
 *   of {@code /ws}, straight onto the channel, and any frame from the client (a pong among them) counts as a sign
 *   of life. SockJS's HTTP transports cannot be pinged: polling is watched by vertx-web's session timeout, and a
 *   client that pings itself (parley.js) by the session's silence (see {@code SessionRegistry}).</li>
 * </ul>
 */
final class SockJsTransport implements Transport {

  private static final ByteBuf PING = Unpooled.unreleasableBuffer(
      Unpooled.wrappedBuffer("parley".getBytes(StandardCharsets.US_ASCII)));
  /** Between the WebSocket frame decoder and Vert.x's connection handler: sees every frame the client sends. */
  private static final String WATCH_NAME = "parley-sockjs-ws-watch";
  /** Vert.x's name for its connection handler in the pipeline, before and after the upgrade. */
  private static final String VERTX_HANDLER = "handler";

  private final SockJSSocket socket;
  private final int maxQueuedChars;
  /** The WebSocket under the session, for pings; null over SockJS's HTTP transports. */
  private final Channel webSocket;
  /** Characters written and not yet on the socket. Touched on the gateway's loop only. */
  private long queuedChars;

  SockJsTransport(SockJSSocket socket, int maxQueuedBytes) {
    this.socket = socket;
    this.maxQueuedChars = maxQueuedBytes;
    this.webSocket = webSocketChannel(socket);
    socket.setWriteQueueMaxSize(maxQueuedBytes);
  }

  /** The Netty channel of a SockJS session carried over a WebSocket, else null. */
  private static Channel webSocketChannel(SockJSSocket socket) {
    RoutingContext context = socket.routingContext();
    HttpConnection connection = context == null ? null : context.request().connection();
    if (connection instanceof VertxConnection vertx
        && vertx.channel().pipeline().get(WebSocketFrameEncoder.class) != null) {
      return vertx.channel();
    }
    return null;
  }

  /** Every frame from the client touches the session from now on (WebSocket transports only). */
  void watch(Session session) {
    if (webSocket != null && webSocket.pipeline().get(VERTX_HANDLER) != null
        && webSocket.pipeline().get(WATCH_NAME) == null) {
      webSocket.pipeline().addBefore(VERTX_HANDLER, WATCH_NAME, new FrameWatch(session));
    }
  }

  @Override
  public String kind() {
    return ParleyMetrics.SOCKJS;
  }

  @Override
  public void write(String frame) {
    int length = frame.length();
    queuedChars += length;
    // fails too when the session is closed: either way it no longer waits to be sent
    socket.write(frame).onComplete(written -> queuedChars -= length);
  }

  @Override
  public void write(SharedFrame frame) {
    write(frame.text()); // SockJS wraps every message in its own framing: nothing to share
  }

  @Override
  public long queuedBytes() {
    return queuedChars;
  }

  /** Vert.x's SockJS socket sends each write on its own schedule: nothing is held back here. */
  @Override
  public void flush() {
  }

  @Override
  public boolean writeQueueFull() {
    return queuedChars > maxQueuedChars;
  }

  @Override
  public void close(CloseCode code, String reason) {
    // vertx-web 5.0.10 drops the code and always sends c[3000,"Go away!"]: say it in a frame first, and close
    // only once that frame is written (a close from another context would discard the pending write)
    socket.write(Frames.disconnect(code, reason)).onComplete(written -> socket.close(code.code(), reason));
  }

  @Override
  public void ping() {
    if (webSocket != null && webSocket.isActive()) {
      webSocket.writeAndFlush(new PingWebSocketFrame(PING.duplicate()), webSocket.voidPromise());
    }
  }

  @Override
  public boolean expectsPong() {
    return webSocket != null;
  }

  @Override
  public String remoteHost() {
    return socket.remoteAddress() == null ? "unknown" : socket.remoteAddress().host();
  }

  /** Any WebSocket frame from the client, a pong included (which Vert.x drops unseen), is a sign of life. */
  private static final class FrameWatch extends ChannelInboundHandlerAdapter {
    private final Session session;

    FrameWatch(Session session) {
      this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof WebSocketFrame) {
        session.touch();
      }
      ctx.fireChannelRead(msg);
    }
  }
}
