package io.parley.transport;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which browser pages may connect. A request without an {@code Origin} header is not from a browser page and is
 * let through (it still has to authenticate). A page from the node's own origin is always allowed, and so is any
 * origin in {@code http.allowedOrigins}; {@code "*"} allows every origin and belongs only in a local demo.
 */
final class OriginPolicy {

  private final boolean any;
  private final Set<String> allowed;

  OriginPolicy(List<String> allowedOrigins) {
    this.any = allowedOrigins.contains("*");
    this.allowed = allowedOrigins.stream().map(o -> o.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
  }

  /** @param origin the request's {@code Origin} header, or null; @param host its {@code Host} header, or null */
  boolean allows(String origin, String host) {
    if (origin == null || any) {
      return true;
    }
    String normalized = origin.toLowerCase(Locale.ROOT);
    return allowed.contains(normalized) || isSameOrigin(normalized, host);
  }

  private static boolean isSameOrigin(String origin, String host) {
    if (host == null) {
      return false;
    }
    try {
      URI uri = URI.create(origin);
      String authority = uri.getRawAuthority();
      return authority != null && authority.equalsIgnoreCase(host);
    } catch (IllegalArgumentException e) {
      return false; // "null" and other non-URL origins
    }
  }
}
