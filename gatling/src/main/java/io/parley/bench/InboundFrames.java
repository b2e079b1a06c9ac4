package io.parley.bench;

import io.netty.buffer.ByteBuf;

/**
 * What {@link ServerFrameReader} hands on, called on the channel's event loop. A payload is a range of a buffer the
 * reader still owns: valid only during the call, neither to be kept nor released.
 */
interface InboundFrames {

  /** A complete text message (fragments already joined). */
  void onText(ByteBuf buf, int index, int length);

  /** A ping, to be answered with a pong carrying the same payload. */
  void onPing(ByteBuf buf, int index, int length);

  /** A close frame; {@code statusCode} is -1 when it carries none. The reader reads nothing after it. */
  void onClose(int statusCode);
}
