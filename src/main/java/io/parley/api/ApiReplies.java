package io.parley.api;

import io.parley.cluster.ClusterFailures;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** JSON replies of the server API, errors in one envelope: {@code {"error":"code","message":"..."}}. */
final class ApiReplies {

  private static final Logger log = LoggerFactory.getLogger(ApiReplies.class);

  private ApiReplies() {
  }

  static void ok(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader("content-type", "application/json").end(body.encode());
  }

  static void error(RoutingContext ctx, int status, String code, String message) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
          .end(new JsonObject().put("error", code).put("message", message).encode());
    }
  }

  /** A failed operation: a request the protocol rejects is 400, a cluster failure 503, anything else 500. */
  static void failure(RoutingContext ctx, Throwable failure) {
    if (failure instanceof ProtocolException e) {
      error(ctx, e.code() == ErrorCode.UNAVAILABLE ? 503 : 400, e.code().wireName(), e.getMessage());
    } else if (ClusterFailures.isUnavailable(failure)) {
      error(ctx, 503, "unavailable", "the cluster cannot serve this now; retry");
    } else {
      log.error("event=api_failed path={}", ctx.request().path(), failure);
      error(ctx, 500, "internal", "internal error");
    }
  }
}
