package io.parley.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MapStoreConfig;
import com.hazelcast.config.MergePolicyConfig;
import io.parley.store.StreamStore;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.SerializerConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.spi.merge.DiscardMergePolicy;
import com.hazelcast.spi.merge.PutIfAbsentMergePolicy;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import io.parley.config.ParleyConfig.ClusterConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.UUID;

/**
 * The Hazelcast configuration of a node: Vert.x's own structures (from its default-cluster.xml), TCP-IP join
 * on the configured host and members with multicast off, and parley's structures with one synchronous backup.
 * With {@code cluster.minimumMembers} in force, parley's structures serve only while this member sees that many
 * members (split-brain protection), and what a minority stored is resolved on the merge (see {@link #mergePolicy}).
 */
public final class ClusterSetup {

  /** The member attribute naming the parley node; unlike the member's UUID it survives a split-brain merge. */
  public static final String NODE_ATTRIBUTE = "parley.node";
  /** Split-brain protection of reads and writes (history, presence, users, dedup). */
  static final String QUORUM = "parley.quorum";
  /** Split-brain protection of writes only: revocations are read once at start, alone if need be. */
  static final String WRITE_QUORUM = "parley.quorum.writes";
  static final int HEARTBEAT_INTERVAL_SECONDS = 1;
  /**
   * A member counts towards the quorum only if a heartbeat came from it this recently, so a node cut off stops
   * serving within about this long, not only once the members are declared gone (cluster.failureDetectionMs).
   * It must stay below {@link #BACKUP_TIMEOUT_MS} by more than a heartbeat: a write whose backup was cut off fails
   * after that timeout and RoomHistory then looks for it on the owner; by then a cut-off owner must refuse, or it
   * would acknowledge a message that only the minority holds and the merge drops.
   */
  static final int QUORUM_HEARTBEAT_TOLERANCE_MS = 3000;
  /**
   * A backup that is merely slow is not a dead member: on two busy cores a start-up write's backup ack took over
   * 5 s, and with fail.on.indeterminate.state the node failed to start ("backup acks missed").
   */
  static final long BACKUP_TIMEOUT_MS = 15000;

  private ClusterSetup() {
  }

  /** The parley node id of a member (see {@link #NODE_ATTRIBUTE}). */
  public static String nodeIdOf(Member member) {
    String id = member.getAttribute(NODE_ATTRIBUTE);
    return id != null ? id : member.getUuid().toString();
  }

  public static Config hazelcastConfig(ClusterConfig cluster) {
    return hazelcastConfig(cluster, new io.parley.store.MemoryStore(), 0);
  }

  /**
   * With a durable store, the stream maps load what memory lacks from it ({@link StreamLoader}): after a restart,
   * or once every copy of an entry died, a stream goes on with its seq and epoch. Members say which store they
   * use, so a node whose store differs from the cluster's can refuse to join it ({@link StoreGuard}).
   */
  public static Config hazelcastConfig(ClusterConfig cluster, StreamStore store, int memoryMessages) {
    return hazelcastConfig(cluster, store, memoryMessages, 0);
  }

  /**
   * As above; with a durable store, a stream untouched for {@code idleEvictMs} leaves memory (0: never): the
   * store has all of it, and a quiet room or a made-up user costs nothing in the cluster's memory.
   */
  public static Config hazelcastConfig(ClusterConfig cluster, StreamStore store, int memoryMessages,
                                       long idleEvictMs) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(cluster.name());
    config.getSerializationConfig().addSerializerConfig(new SerializerConfig()
        .setTypeClass(StreamPosition.class).setImplementation(new StreamPositionSerializer()));
    config.getMemberAttributeConfig().setAttribute(NODE_ATTRIBUTE, UUID.randomUUID().toString());
    String address = resolve(cluster.host());
    long heartbeatTimeoutSeconds = Math.max(2, cluster.failureDetectionMs() / 1000);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    // parley drains first and then leaves the cluster itself (see ParleyNode.drain)
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.local.localAddress", address);
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.heartbeat.interval.seconds", Integer.toString(HEARTBEAT_INTERVAL_SECONDS));
    config.setProperty("hazelcast.operation.backup.timeout.millis", Long.toString(BACKUP_TIMEOUT_MS));
    config.setProperty("hazelcast.max.no.heartbeat.seconds", Long.toString(heartbeatTimeoutSeconds));
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    // two nodes that started at the same moment may each found a cluster: merge them soon, not after 5 minutes
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    // when a partition owner dies mid-write, report it rather than silently re-run the write on the new owner
    // (which stored some publishes twice); RoomHistory resolves the uncertainty itself
    config.setProperty("hazelcast.operation.fail.on.indeterminate.state", "true");

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).setInterfaces(List.of(address));
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (cluster.discovery().equals(ClusterConfig.KUBERNETES_DNS)) {
      // the members are the pod addresses behind the StatefulSet's headless service
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", cluster.serviceDns())
          .setProperty("service-port", Integer.toString(cluster.port()));
    } else {
      List<String> members = cluster.members().isEmpty() ? List.of(address + ":" + cluster.port()) : cluster.members();
      join.getTcpIpConfig().setEnabled(true).setMembers(members);
    }

    for (String map : new String[]{RequestDedup.MAP_NAME, Revocations.MAP_NAME, NodeDirectory.MAP_NAME,
        StreamLimits.CREATIONS_MAP}) {
      config.addMapConfig(synchronousBackup(map));
    }
    // Changed only by entry processors, per join, auth, close and publish: stored as objects, a processor
    // changes the value in place and a backup re-runs it, so a join costs the same in a room of 10 or of 50,000
    // and a publish the same with 10 or 1,000 messages kept. Stored as bytes (BINARY), every change would
    // deserialize and serialize the whole value. OBJECT copies values for a processor only where the map has an
    // index: these must have none.
    for (String map : new String[]{Presence.MAP_NAME, UserDirectory.MAP_NAME}) {
      config.addMapConfig(synchronousBackup(map).setInMemoryFormat(InMemoryFormat.OBJECT));
    }
    config.addMapConfig(streamMap(RoomHistory.MAP_NAME, store, RoomHistory.STORE_PREFIX, memoryMessages, idleEvictMs));
    config.addMapConfig(streamMap(UserStreams.MAP_NAME, store, UserStreams.STORE_PREFIX, memoryMessages, idleEvictMs));
    config.getMemberAttributeConfig().setAttribute(StoreGuard.ATTRIBUTE, StoreGuard.describe(store));
    for (String map : new String[]{RoomHistory.MAP_NAME, UserStreams.MAP_NAME, Presence.MAP_NAME,
        UserDirectory.MAP_NAME, RequestDedup.MAP_NAME, Revocations.MAP_NAME}) {
      config.getMapConfig(map).setMergePolicyConfig(new MergePolicyConfig().setPolicy(mergePolicy(map)));
    }
    if (cluster.quorum() > 1) {
      protect(config, cluster.quorum());
    }
    return config;
  }

  private static MapConfig streamMap(String name, StreamStore store, String prefix, int memoryMessages,
                                     long idleEvictMs) {
    MapConfig map = synchronousBackup(name).setInMemoryFormat(InMemoryFormat.OBJECT);
    if (store.durable()) {
      if (idleEvictMs > 0) {
        // an append touches its stream and is committed within milliseconds: nothing uncommitted is evicted
        map.setMaxIdleSeconds((int) Math.max(1, idleEvictMs / 1000));
      }
      map.setMapStoreConfig(new MapStoreConfig()
          .setEnabled(true)
          .setImplementation(new StreamLoader(store, prefix, memoryMessages))
          .setInitialLoadMode(MapStoreConfig.InitialLoadMode.LAZY)
          // Offloaded (Hazelcast's default since 5.2), every operation on the map, loads or not, runs through the
          // step engine: the partition threads' time per publish doubled (JFR, embedded store). Loads are a
          // stream's first touch only, one store read each, so they may run on the partition thread.
          .setOffload(false));
    }
    return map;
  }

  /**
   * What happens to an entry of the smaller side when a split heals. Sessions (presence, user routes) are
   * rebuilt by {@link MergeRepair} from those really connected, so a minority's stale copy is dropped. Streams,
   * dedup records and revocations keep the larger side's entry and take the smaller side's only where the larger
   * has none: with a quorum the minority acknowledged nothing, and where no side had one (every node cut off
   * alone), a room that only the smaller side held is not lost.
   */
  static String mergePolicy(String map) {
    return map.equals(Presence.MAP_NAME) || map.equals(UserDirectory.MAP_NAME)
        ? DiscardMergePolicy.class.getName() : PutIfAbsentMergePolicy.class.getName();
  }

  private static void protect(Config config, int members) {
    config.addSplitBrainProtectionConfig(quorum(QUORUM, members, SplitBrainProtectionOn.READ_WRITE));
    config.addSplitBrainProtectionConfig(quorum(WRITE_QUORUM, members, SplitBrainProtectionOn.WRITE));
    for (String map : new String[]{RoomHistory.MAP_NAME, UserStreams.MAP_NAME, Presence.MAP_NAME,
        UserDirectory.MAP_NAME, RequestDedup.MAP_NAME, StreamLimits.CREATIONS_MAP}) {
      config.getMapConfig(map).setSplitBrainProtectionName(QUORUM);
    }
    config.getMapConfig(Revocations.MAP_NAME).setSplitBrainProtectionName(WRITE_QUORUM);
  }

  private static SplitBrainProtectionConfig quorum(String name, int members, SplitBrainProtectionOn on) {
    return SplitBrainProtectionConfig.newRecentlyActiveSplitBrainProtectionConfigBuilder(name, members,
            QUORUM_HEARTBEAT_TOLERANCE_MS).build()
        .setProtectOn(on);
  }

  private static MapConfig synchronousBackup(String map) {
    return new MapConfig(map).setBackupCount(1).setAsyncBackupCount(0);
  }

  /**
   * TLS on the event bus with mutual authentication, when {@code cluster.tls} is set: the same options serve as the
   * server (it requires a client certificate the CA signed) and, copied by Vert.x, as the client each node uses to
   * connect to the others (it presents this node's certificate and trusts only the CA). Vert.x does not check host
   * names on the event bus: any certificate the cluster's CA signed is a member, so that CA must sign nothing else.
   */
  public static void eventBusTls(io.vertx.core.eventbus.EventBusOptions eventBus,
                                 io.parley.config.ParleyConfig.ClusterTls tls) {
    if (!tls.enabled()) {
      return;
    }
    eventBus.setSsl(true)
        .setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions().setCertPath(tls.certPath())
            .setKeyPath(tls.keyPath()))
        .setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(tls.caPath()))
        .setClientAuth(io.vertx.core.http.ClientAuth.REQUIRED);
  }

  /** Hazelcast binds to an address, not a name: resolve container or host names here. */
  public static String resolve(String host) {
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("cluster.host " + host + " does not resolve", e);
    }
  }
}
