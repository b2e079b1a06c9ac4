package io.parley.store;

import io.parley.testing.PostgresServer;
import org.junit.jupiter.api.DisplayName;

/** The contract on a real PostgreSQL server: a fresh database per store. */
@DisplayName("the postgres store keeps the store contract")
class PostgresStreamStoreTest extends StreamStoreContractTest {

  private PostgresServer.Database database;

  @Override
  StreamStore create() throws Exception {
    database = PostgresServer.shared().createDatabase();
    return reopen();
  }

  @Override
  StreamStore reopen() throws Exception {
    return JdbcStreamStore.postgres(database.url(), database.user(), database.password(), SWEEP_INTERVAL_MS,
        batch -> { });
  }
}
