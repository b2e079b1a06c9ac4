package io.parley.testing;

import io.parley.ParleyNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.function.Consumer;

/**
 * One real node for a whole test class, with a Vert.x instance for its clients:
 * {@code @RegisterExtension static final SingleNode NODE = new SingleNode(config -> ...);}
 */
public final class SingleNode implements BeforeAllCallback, AfterAllCallback {

  private final Consumer<JsonObject> adjust;
  private Vertx vertx;
  private ParleyNode node;

  /** @param adjust changes to the test configuration ({@link TestNodes#config}) before the node starts */
  public SingleNode(Consumer<JsonObject> adjust) {
    this.adjust = adjust;
  }

  /** A node with the test configuration as it is. */
  public SingleNode() {
    this(config -> {
    });
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    vertx = Vertx.vertx();
    node = TestNodes.startSingle(adjust);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    TestNodes.stop(node);
    vertx.close();
  }

  /** The Vert.x instance the test's clients use (not the node's own). */
  public Vertx vertx() {
    return vertx;
  }

  public ParleyNode node() {
    return node;
  }

  /** The node's HTTP port. */
  public int port() {
    return node.port();
  }
}
