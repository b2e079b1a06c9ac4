package io.parley.store;

/**
 * One message of a stream as the store keeps it: its place ({@code seq}), when it was stored ({@code ts}, ms),
 * when it may be dropped ({@code expiresAt}, ms; {@code Long.MAX_VALUE}: only by count), the other party of a
 * private message ({@code peer}, null in rooms) and its stored encoding.
 */
public record StreamEntry(String stream, long seq, long ts, long expiresAt, String peer, String data) {
}
