package io.parley.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The WebSocket upgrade request for one URL: built once and written as duplicates, or, for a user whose token goes
 * in the URL ({@code ?token=}, which PROTOCOL.md allows instead of an {@code auth} frame), assembled per connection
 * from the same two precomputed halves.
 */
final class UpgradeRequest {

  /** The RFC 6455 example key (section 1.3); {@link WsUpgrade} checks the accept value it implies. */
  static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

  /** {@code GET /path?query}, up to where a token parameter goes. */
  private final byte[] requestLine;
  private final byte[] tokenParameter;
  /** From {@code " HTTP/1.1"} to the blank line. */
  private final byte[] rest;
  private final ByteBuf shared;

  UpgradeRequest(URI uri, int port) {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    this.requestLine = ascii("GET " + path + query);
    this.tokenParameter = ascii(query.isEmpty() ? "?token=" : "&token=");
    this.rest = ascii(" HTTP/1.1\r\nHost: " + uri.getHost() + ":" + port
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + KEY
        + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
    // Direct, so that epoll writes it without copying it into a direct buffer for every connection.
    ByteBuf whole = Unpooled.directBuffer(requestLine.length + rest.length).writeBytes(requestLine).writeBytes(rest);
    this.shared = Unpooled.unreleasableBuffer(whole);
  }

  /** The request without a token, for every connection to this URL; never modify or release it. */
  ByteBuf shared() {
    return shared.duplicate();
  }

  /** A request of the connection's own carrying {@code token}; writing it releases it. */
  ByteBuf withToken(ByteBufAllocator alloc, String token) {
    ByteBuf request = alloc.directBuffer(requestLine.length + tokenParameter.length + token.length() + rest.length);
    request.writeBytes(requestLine).writeBytes(tokenParameter);
    request.writeCharSequence(token, StandardCharsets.US_ASCII); // base64url: safe in a URL as it is
    return request.writeBytes(rest);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
