package io.parley.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.parley.protocol.CloseCode;
import io.parley.session.Session;

import java.nio.charset.StandardCharsets;

/**
 * Reassembles one WebSocket connection's fragmented messages under the {@code limits.maxFrameBytes} limit and
 * hands complete messages to the session. A message over the limit closes the connection with 4009 as soon as
 * the limit is passed, without buffering the rest. The caller keeps ownership of (and releases) each frame.
 */
final class InboundFrames {

  private final Session session;
  private final int maxBytes;
  /** The fragments so far of an unfinished message (rare: browsers send whole messages), or null. */
  private ByteBuf partial;
  private boolean partialIsText;

  InboundFrames(Session session, int maxBytes) {
    this.session = session;
    this.maxBytes = maxBytes;
  }

  void onDataFrame(WebSocketFrame frame) {
    session.touch();
    if (session.isClosed()) {
      return;
    }
    ByteBuf data = frame.content();
    if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
      partial = null;
      if (!fits(data.readableBytes())) {
        return;
      }
      boolean text = frame instanceof TextWebSocketFrame;
      if (frame.isFinalFragment()) {
        complete(text, data);
      } else {
        partial = Unpooled.buffer(data.readableBytes()).writeBytes(data);
        partialIsText = text;
      }
    } else if (frame instanceof ContinuationWebSocketFrame && partial != null) {
      if (!fits(partial.readableBytes() + data.readableBytes())) {
        partial = null;
        return;
      }
      partial.writeBytes(data);
      if (frame.isFinalFragment()) {
        ByteBuf message = partial;
        partial = null;
        complete(partialIsText, message);
      }
    }
  }

  private boolean fits(int length) {
    if (length <= maxBytes) {
      return true;
    }
    session.close(CloseCode.FRAME_TOO_LARGE, "frame larger than " + maxBytes + " bytes");
    return false;
  }

  private void complete(boolean text, ByteBuf data) {
    if (text) {
      session.onText(data.toString(StandardCharsets.UTF_8));
    } else {
      session.onBinary();
    }
  }
}
