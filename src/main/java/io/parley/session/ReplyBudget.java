package io.parley.session;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Keeps a {@code history} reply within {@code limits.maxReplyBytes} (a DoS guard: one request must not make the
 * node build, or the client's queue hold, megabytes). Paging with {@code since} keeps the oldest messages that
 * fit, so the client asks again from the last one; a read of the newest keeps the newest. A cut reply says
 * {@code truncated: true}.
 */
final class ReplyBudget {

  /** Room for the reply's own fields and the array's commas. */
  private static final int ENVELOPE_BYTES = 256;

  private ReplyBudget() {
  }

  static JsonObject withMessages(JsonObject ok, List<String> frames, boolean keepNewest, int maxBytes) {
    int budget = maxBytes - ENVELOPE_BYTES;
    int from = 0;
    int to = frames.size();
    int used = 0;
    if (keepNewest) {
      int start = to;
      while (start > 0 && used + utf8Length(frames.get(start - 1)) + 1 <= budget) {
        used += utf8Length(frames.get(start - 1)) + 1;
        start--;
      }
      from = start;
    } else {
      int end = 0;
      while (end < frames.size() && used + utf8Length(frames.get(end)) + 1 <= budget) {
        used += utf8Length(frames.get(end)) + 1;
        end++;
      }
      to = end;
    }
    JsonArray messages = new JsonArray();
    for (int i = from; i < to; i++) {
      messages.add(new JsonObject(frames.get(i)));
    }
    ok.put("messages", messages);
    if (to - from < frames.size()) {
      ok.put("truncated", true);
    }
    return ok;
  }

  private static int utf8Length(String text) {
    int bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
