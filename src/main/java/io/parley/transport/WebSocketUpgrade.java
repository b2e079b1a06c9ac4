package io.parley.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.util.ReferenceCountUtil;
import io.parley.protocol.CloseCode;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Sits in every HTTP connection's pipeline just before Vert.x's handler and takes WebSocket upgrades of
 * {@code /ws} for itself: it answers the handshake with Netty's handshaker and then removes Vert.x's HTTP
 * connection from the pipeline, so an idle WebSocket costs a Netty channel and a session, not also Vert.x's
 * per-connection message queues. Every other request passes through to Vert.x untouched.
 */
final class WebSocketUpgrade extends ChannelInboundHandlerAdapter {

  static final String NAME = "parley-ws-upgrade";
  /** Vert.x's name for its connection handler in an HTTP/1 pipeline. */
  static final String VERTX_HANDLER = "handler";
  /** RFC 6455's, the only version served: browsers have sent it since 2012. */
  private static final String WEBSOCKET_VERSION = "13";
  /** Vert.x's HTTP/1 handlers that have nothing to do on a WebSocket: its connection and chunked writes. */
  private static final List<String> VERTX_HANDLERS_AFTER_UPGRADE = List.of(VERTX_HANDLER, "chunkedWriter");

  private final WebSocketEndpoint endpoint;
  private final HttpConnectionWatch watch;
  /** True while discarding the body of a request this handler answered itself. */
  private boolean discarding;

  WebSocketUpgrade(WebSocketEndpoint endpoint, HttpConnectionWatch watch) {
    this.endpoint = endpoint;
    this.watch = watch;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (discarding && msg instanceof HttpContent) {
      discarding = !(msg instanceof LastHttpContent);
      ReferenceCountUtil.release(msg);
    } else if (msg instanceof HttpRequest request && isUpgradeToWebSocket(request)) {
      discarding = !(msg instanceof LastHttpContent);
      ReferenceCountUtil.release(msg);
      upgrade(ctx, request);
    } else if (msg instanceof HttpRequest && watch.overAddressLimit()) {
      // any other request from an address over limits.connectionsPerIp: 429, and the connection closed
      discarding = !(msg instanceof LastHttpContent);
      ReferenceCountUtil.release(msg);
      endpoint.limits().metrics().refused(ConnectionMetrics.Refusal.PER_IP);
      refuse(ctx.channel(), HttpResponseStatus.TOO_MANY_REQUESTS, "too many connections from your address");
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  private static boolean isUpgradeToWebSocket(HttpRequest request) {
    // the header first: most requests (API, SockJS, static files) are not upgrades, and need no path parsing
    return request.method() == HttpMethod.GET
        && request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
        && WebSocketEndpoint.PATH.equals(new QueryStringDecoder(request.uri()).path());
  }

  private void upgrade(ChannelHandlerContext ctx, HttpRequest request) {
    ConnectionGuard.Refusal refusal = endpoint.guard().refusal(
        request.headers().get(HttpHeaderNames.ORIGIN), request.headers().get(HttpHeaderNames.HOST));
    if (refusal != null) {
      endpoint.limits().metrics().refused(refusal.reason());
      refuse(ctx.channel(), HttpResponseStatus.valueOf(refusal.status()), refusal.message());
      return;
    }
    FullHttpRequest handshakeRequest = new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
        request.uri(), Unpooled.EMPTY_BUFFER, request.headers(), EmptyHttpHeaders.INSTANCE);
    if (!WEBSOCKET_VERSION.equals(request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
      endpoint.limits().metrics().refused(ConnectionMetrics.Refusal.BAD_UPGRADE);
      refuse(ctx.channel(), HttpResponseStatus.UPGRADE_REQUIRED, "WebSocket version 13 expected");
      return;
    }
    WebSocketServerHandshaker handshaker = endpoint.handshaker();
    // refused after the upgrade, so that a browser's client sees the code (a refused handshake is only "1006")
    CloseCode closeAtOnce = watch.overAddressLimit() ? CloseCode.CONNECTION_RATE : endpoint.limits().sessionRefusal();
    if (closeAtOnce == CloseCode.CONNECTION_RATE) {
      endpoint.limits().metrics().refused(ConnectionMetrics.Refusal.PER_IP);
    }
    // the channel is ours before the handshake: frames a client sends without waiting for the 101 (which RFC 6455
    // forbids) are decoded as the decoder is swapped, and must reach our handler to be released, not Vert.x's
    WebSocketInbound inbound = new WebSocketInbound(endpoint, urlToken(request), closeAtOnce);
    takeOver(ctx.pipeline(), inbound);
    ChannelFuture responded;
    try {
      // replaces Vert.x's request decoder with the frame decoder, and drops its encoder once the 101 is out
      responded = handshaker.handshake(ctx.channel(), handshakeRequest);
    } catch (WebSocketHandshakeException e) {
      // nothing was written yet and Vert.x's encoder is still in place
      endpoint.limits().metrics().refused(ConnectionMetrics.Refusal.BAD_UPGRADE);
      refuse(ctx.channel(), HttpResponseStatus.BAD_REQUEST, e.getMessage());
      return;
    }
    responded.addListener(done -> {
      if (done.isSuccess()) {
        inbound.opened();
      } else {
        ctx.channel().close();
      }
    });
  }

  /**
   * From here on the channel is ours: Vert.x's connection object and its queues become garbage. Our handlers go
   * right after the response encoder (the handshake puts the frame encoder before it, and close frames written
   * by the UTF-8 validator must pass that) and ahead of any Vert.x handler left behind them (an h2c upgrade
   * handler, were cleartext HTTP/2 on, would drop the frames it is given).
   */
  private void takeOver(ChannelPipeline pipeline, WebSocketInbound inbound) {
    watch.becameSession(); // the heartbeat watches it from now on
    for (String vertxHandler : VERTX_HANDLERS_AFTER_UPGRADE) {
      if (pipeline.get(vertxHandler) != null) {
        pipeline.remove(vertxHandler);
      }
    }
    pipeline.remove(this);
    pipeline.addAfter(pipeline.context(HttpResponseEncoder.class).name(), WebSocketInbound.NAME, inbound);
    // RFC 6455: text must be valid UTF-8, else the connection fails with 1007
    pipeline.addBefore(WebSocketInbound.NAME, "parley-ws-utf8", new Utf8FrameValidator(true));
  }

  private static String urlToken(HttpRequest request) {
    List<String> tokens = new QueryStringDecoder(request.uri()).parameters().get("token");
    return tokens == null || tokens.isEmpty() ? null : tokens.get(0);
  }

  private static void refuse(Channel channel, HttpResponseStatus status, String message) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(message, StandardCharsets.UTF_8));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    if (status == HttpResponseStatus.UPGRADE_REQUIRED) {
      response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, WEBSOCKET_VERSION);
    }
    channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
