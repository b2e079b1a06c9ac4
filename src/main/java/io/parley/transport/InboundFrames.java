package io.parley.transport;

import io.parley.protocol.CloseCode;
import io.parley.session.Session;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;

import java.nio.charset.StandardCharsets;

/**
 * Reassembles one WebSocket connection's fragmented messages under the {@code limits.maxFrameBytes} limit and
 * hands complete messages to the session. A message over the limit closes the connection with 4009 as soon as
 * the limit is passed, without buffering the rest.
 */
final class InboundFrames {

  private final Session session;
  private final int maxBytes;
  private Buffer partial;
  private boolean partialIsText;

  InboundFrames(Session session, int maxBytes) {
    this.session = session;
    this.maxBytes = maxBytes;
  }

  void onFrame(WebSocketFrame frame) {
    session.touch();
    if (session.isClosed()) {
      return;
    }
    if (frame.isText() || frame.isBinary()) {
      partial = null;
      if (!fits(frame.binaryData().length())) {
        return;
      }
      if (frame.isFinal()) {
        complete(frame.isText(), frame.binaryData());
      } else {
        partial = Buffer.buffer().appendBuffer(frame.binaryData());
        partialIsText = frame.isText();
      }
    } else if (frame.isContinuation() && partial != null) {
      if (!fits(partial.length() + frame.binaryData().length())) {
        partial = null;
        return;
      }
      partial.appendBuffer(frame.binaryData());
      if (frame.isFinal()) {
        Buffer message = partial;
        partial = null;
        complete(partialIsText, message);
      }
    }
    // ping, pong and close frames are answered by Vert.x; they only count as signs of life here
  }

  private boolean fits(int length) {
    if (length <= maxBytes) {
      return true;
    }
    session.close(CloseCode.FRAME_TOO_LARGE, "frame larger than " + maxBytes + " bytes");
    return false;
  }

  private void complete(boolean text, Buffer data) {
    if (text) {
      session.onText(data.toString(StandardCharsets.UTF_8));
    } else {
      session.onBinary();
    }
  }
}
