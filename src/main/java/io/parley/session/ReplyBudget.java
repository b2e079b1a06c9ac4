package io.parley.session;

import io.netty.buffer.ByteBufUtil;
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
      while (start > 0 && used + ByteBufUtil.utf8Bytes(frames.get(start - 1)) + 1 <= budget) {
        used += ByteBufUtil.utf8Bytes(frames.get(start - 1)) + 1;
        start--;
      }
      from = start;
    } else {
      int end = 0;
      while (end < frames.size() && used + ByteBufUtil.utf8Bytes(frames.get(end)) + 1 <= budget) {
        used += ByteBufUtil.utf8Bytes(frames.get(end)) + 1;
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
}
