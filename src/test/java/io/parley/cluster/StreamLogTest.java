package io.parley.cluster;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A room's seq and kept messages: capacity, expiry and the reads that recovery depends on. */
class StreamLogTest {

  private static final long NO_EXPIRY = Long.MIN_VALUE;

  @Test
  @DisplayName("seqs start at 1; past the capacity the oldest go, and a reader who missed them is told")
  void capacity() {
    StreamLog log = new StreamLog("e1");
    assertEquals(0, log.latest());
    for (int i = 1; i <= 5; i++) {
      assertEquals(i, log.append("m" + i, 1000, 3, NO_EXPIRY));
    }
    assertEquals(3, log.size());
    assertSlice(log.read(0, 10, NO_EXPIRY), 3, false, "m3", "m4", "m5");
    assertSlice(log.read(2, 10, NO_EXPIRY), 3, true, "m3", "m4", "m5");
    assertSlice(log.read(3, 1, NO_EXPIRY), 4, true, "m4");
    assertSlice(log.read(-1, 2, NO_EXPIRY), 4, true, "m4", "m5");
    assertSlice(log.read(5, 10, NO_EXPIRY), 6, true);
    assertFalse(log.read(6, 10, NO_EXPIRY).complete(), "a seq the room never reached");
  }

  @Test
  @DisplayName("a byte limit drops the oldest to make room, counts UTF-8 bytes, and frees them on expiry")
  void byteLimit() {
    assertEquals(1 + 2 + 3 + 4, StreamLog.utf8Bytes("a\u00e9\u20ac\ud83d\ude00"));
    StreamLog log = new StreamLog("e1");
    for (int i = 1; i <= 5; i++) {
      log.append("m" + i + "-" + "\u20ac".repeat(10), 1000L * i, 100, 100, NO_EXPIRY); // 33 bytes each
    }
    assertEquals(3, log.size(), "3 of 33 bytes fit in 100, a fourth would not");
    assertEquals(99, log.bytes());
    assertSlice(log.read(-1, 10, NO_EXPIRY), 3, true, "m3-" + "\u20ac".repeat(10), "m4-" + "\u20ac".repeat(10),
        "m5-" + "\u20ac".repeat(10));
    log.expire(5000);
    assertEquals(1, log.size());
    assertEquals(33, log.bytes());
    log.expire(6000);
    assertEquals(0, log.bytes());
    assertTrue(log.untouchedSince(5001) && !log.untouchedSince(5000), "last written at 5000");
  }

  @Test
  @DisplayName("the arrays grow past their first slots and wrap, keeping seq order")
  void growsAndWraps() {
    StreamLog log = new StreamLog("e1");
    for (int i = 1; i <= 50; i++) {
      log.append("m" + i, 1000, 20, NO_EXPIRY);
    }
    StreamLog.LogSlice newest = log.read(-1, 20, NO_EXPIRY);
    assertEquals(31, newest.firstSeq());
    assertEquals(LongStream.rangeClosed(31, 50).mapToObj(i -> "m" + i).toList(), newest.messages());
  }

  @Test
  @DisplayName("messages stored before the cutoff are left out of reads, then dropped; the seq goes on")
  void expiry() {
    StreamLog log = new StreamLog("e1");
    log.append("m1", 1000, 10, NO_EXPIRY);
    log.append("m2", 2000, 10, NO_EXPIRY);
    log.append("m3", 3000, 10, NO_EXPIRY);
    assertTrue(log.hasMessagesStoredBefore(2500));
    assertFalse(log.hasMessagesStoredBefore(1000));

    assertSlice(log.read(0, 10, 2500), 3, false, "m3");
    assertSlice(log.read(2, 10, 2500), 3, true, "m3");
    assertSlice(log.read(-1, 10, 2500), 3, true, "m3");
    assertEquals(3, log.size(), "a read changes nothing");

    log.expire(2500);
    assertEquals(1, log.size());
    log.expire(5000);
    assertEquals(0, log.size());
    assertFalse(log.hasMessagesStoredBefore(Long.MAX_VALUE));
    assertEquals(3, log.latest());
    assertSlice(log.read(3, 10, 5000), 4, true);
    assertFalse(log.read(1, 10, 5000).complete());

    assertEquals(4, log.append("m4", 6000, 10, 5000));
    assertSlice(log.read(0, 10, 5000), 4, false, "m4");
  }

  @Test
  @DisplayName("an append drops the expired messages first")
  void appendExpires() {
    StreamLog log = new StreamLog("e1");
    log.append("old", 1000, 10, NO_EXPIRY);
    log.append("new", 9000, 10, 5000);
    assertEquals(1, log.size());
    assertSlice(log.read(-1, 10, NO_EXPIRY), 2, true, "new");
  }

  @Test
  @DisplayName("a kept message is found by its exact encoding")
  void find() {
    StreamLog log = new StreamLog("e1");
    for (int i = 1; i <= 12; i++) {
      log.append("m" + i, 1000, 10, NO_EXPIRY);
    }
    assertEquals(11, log.find("m11"));
    assertEquals(3, log.find("m3"));
    assertEquals(0, log.find("m2"), "overwritten");
  }

  @Test
  @DisplayName("survives Java serialization (Hazelcast's migrations and replication) with its state")
  void serializes() throws Exception {
    StreamLog log = new StreamLog("e1");
    for (int i = 1; i <= 12; i++) {
      log.append("m" + i, 1000L * i, 10, NO_EXPIRY);
    }
    StreamLog copy = copied(log);
    assertEquals(12, copy.latest());
    assertTrue(copy.hasMessagesStoredBefore(3001));
    assertFalse(copy.hasMessagesStoredBefore(3000));
    assertEquals(13, copy.append("m13", 13_000, 10, NO_EXPIRY));
    assertSlice(copy.read(11, 10, NO_EXPIRY), 12, true, "m12", "m13");

    copy.expire(Long.MAX_VALUE);
    StreamLog emptied = copied(copy);
    assertEquals(0, emptied.size());
    assertEquals(14, emptied.append("m14", 14_000, 10, NO_EXPIRY), "an emptied copy keeps its seq and grows again");
    assertSlice(emptied.read(13, 10, NO_EXPIRY), 14, true, "m14");
  }

  private static StreamLog copied(StreamLog log) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(log);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (StreamLog) in.readObject();
    }
  }

  private static void assertSlice(StreamLog.LogSlice slice, long firstSeq, boolean complete, String... messages) {
    assertEquals(List.of(messages), slice.messages());
    if (messages.length > 0) {
      assertEquals(firstSeq, slice.firstSeq());
    }
    assertEquals(complete, slice.complete());
  }
}
