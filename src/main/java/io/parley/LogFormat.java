package io.parley;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.LoggerFactory;

import java.net.URL;

/** {@code log.format}: {@code text} (logback.xml, the default) or {@code json} (one JSON object per line). */
final class LogFormat {

  private LogFormat() {
  }

  static void apply(String format) {
    switch (format) {
      case "text" -> {
      }
      case "json" -> reconfigure("/logback-json.xml");
      default -> throw new IllegalArgumentException("log.format must be text or json, got " + format);
    }
  }

  private static void reconfigure(String resource) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    URL config = LogFormat.class.getResource(resource);
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(config);
    } catch (JoranException e) {
      throw new IllegalStateException("cannot apply " + resource, e);
    }
  }
}
