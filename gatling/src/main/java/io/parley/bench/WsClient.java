package io.parley.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens WebSocket connections with Netty's native epoll transport (NIO elsewhere), each bound to the next source
 * address in turn with IP_BIND_ADDRESS_NO_PORT, so the ephemeral port is picked per destination at connect time
 * and each source address gives about 28k connections to each node.
 */
final class WsClient implements AutoCloseable {

  private static final int MAX_FRAME = 1 << 20;

  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final List<InetAddress> sources;
  private final AtomicLong nextSource = new AtomicLong();
  /** The upgrade request and the resolved address of each URL, so that a connect allocates neither. */
  private final Map<URI, Target> targets = new ConcurrentHashMap<>();

  private record Target(InetSocketAddress address, UpgradeRequest upgradeRequest) {}

  WsClient(int threads, List<InetAddress> sources) {
    boolean epoll = Epoll.isAvailable();
    this.group = new MultiThreadIoEventLoopGroup(threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    this.bootstrap = new Bootstrap().group(group).channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 15_000);
    if (epoll) {
      bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
    }
    this.sources = sources;
  }

  /** {@code epoll/PooledByteBufAllocator}: the transport and the buffer allocator, for the run's first line. */
  static String transportName() {
    return (Epoll.isAvailable() ? "epoll" : "nio") + "/" + ByteBufAllocator.DEFAULT.getClass().getSimpleName();
  }

  EventLoopGroup group() {
    return group;
  }

  /**
   * Connects and completes the WebSocket handshake; the connection's frames go to {@code listener}. A non-null
   * {@code urlToken} goes in the URL as {@code ?token=}.
   */
  CompletableFuture<WsConnection> connect(URI uri, String urlToken, int node, int user, FrameListener listener) {
    WsConnection connection = new WsConnection(user, node, listener);
    Target target = targets.computeIfAbsent(uri, u -> new Target(new InetSocketAddress(u.getHost(), port(u)),
        new UpgradeRequest(u, port(u))));
    Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new WsUpgrade(target.upgradeRequest(), urlToken, MAX_FRAME, connection), connection);
      }
    });
    InetAddress source = sources.get((int) (nextSource.getAndIncrement() % sources.size()));
    ChannelFuture connect = b.connect(target.address(), new InetSocketAddress(source, 0));
    connect.addListener(f -> {
      if (!f.isSuccess()) {
        connection.opened().completeExceptionally(f.cause());
      }
    });
    return connection.opened();
  }

  private static int port(URI uri) {
    if (uri.getPort() > 0) {
      return uri.getPort();
    }
    return uri.getScheme().equals("wss") ? 443 : 80;
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
