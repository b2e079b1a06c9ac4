package io.parley.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.parley.protocol.CloseCode;
import io.parley.session.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an upgraded {@code /ws} connection: answers pings and the close handshake itself, and hands
 * data frames to the session on the gateway's context.
 */
final class WebSocketInbound extends ChannelInboundHandlerAdapter {

  static final String NAME = "parley-ws";
  private static final Logger log = LoggerFactory.getLogger(WebSocketInbound.class);

  private final WebSocketEndpoint endpoint;
  private final String urlToken;
  /** Set when the connection is refused (4029, 1013): it is closed once open, and never gets a session. */
  private final CloseCode refusal;
  private WebSocketChannel channel;
  private Session session;
  private InboundFrames frames;

  WebSocketInbound(WebSocketEndpoint endpoint, String urlToken, CloseCode refusal) {
    this.endpoint = endpoint;
    this.urlToken = urlToken;
    this.refusal = refusal;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = new WebSocketChannel(ctx.channel(), endpoint.maxQueuedBytes());
  }

  /** The handshake response is out: from now on the client may send frames. */
  void opened() {
    if (channel.isClosing()) {
      return; // the client went away already: there is nothing to open a session for
    }
    if (refusal != null) {
      channel.close(refusal, refusal.reason(), ConnectionLimits.REFUSED_CLOSE_TIMEOUT_MS);
      return;
    }
    endpoint.gateway().emit(channel, transport -> {
      session = endpoint.sessions().open(transport, urlToken);
      if (session != null) {
        frames = new InboundFrames(session, endpoint.maxFrameBytes());
      }
    });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof WebSocketFrame frame)) {
      ReferenceCountUtil.release(msg); // the empty end of the upgrade request
      return;
    }
    if (frame instanceof CloseWebSocketFrame close) {
      if (channel.isClosing()) {
        channel.closeHandshakeDone();
      } else {
        channel.answerClose(close);
      }
      frame.release();
    } else if (frame instanceof PingWebSocketFrame) {
      touch();
      ctx.channel().writeAndFlush(new PongWebSocketFrame(frame.content()), ctx.voidPromise());
    } else if (frame instanceof PongWebSocketFrame || frames == null || channel.isClosing()) {
      touch();
      frame.release();
    } else {
      endpoint.gateway().emit(frame, this::deliver);
    }
  }

  private void deliver(WebSocketFrame frame) {
    try {
      frames.onDataFrame(frame);
    } finally {
      frame.release();
    }
  }

  private void touch() {
    if (session != null) {
      session.touch();
    }
  }

  /** The frame decoder saw a frame over {@code limits.maxFrameBytes} in its header: close 4009 (it discards the rest). */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event != FrameSizeGuard.TOO_LARGE) {
      ctx.fireUserEventTriggered(event);
      return;
    }
    String reason = "frame larger than " + endpoint.maxFrameBytes() + " bytes";
    if (session != null) {
      endpoint.gateway().emit(session, s -> s.close(CloseCode.FRAME_TOO_LARGE, reason));
    } else {
      channel.close(CloseCode.FRAME_TOO_LARGE, reason, FrameSizeGuard.DISCARD_MS);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (session != null) {
      endpoint.gateway().emit(session, Session::onTransportClosed);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("event=ws_error session={} error={}", session == null ? "-" : session.id(), cause.toString());
    ctx.close();
  }
}
