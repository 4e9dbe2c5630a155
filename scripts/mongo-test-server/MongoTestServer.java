import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import java.util.List;
import de.bwaldvogel.mongo.backend.h2.H2Backend;

/**
 * A MongoDB-compatible server for tests: mongo-java-server with its H2 (MVStore) backend, so data
 * survives a stop and restart like a real server's does. Usage: MongoTestServer <port> <file>.
 */
public final class MongoTestServer {
  public static void main(String[] arguments) throws Exception {
    int port = Integer.parseInt(arguments[0]);
    H2Backend backend = new H2Backend(arguments[1]);
    // The newest version the library knows speaks wire version 8; the current Node.js driver
    // requires 9 (MongoDB 4.4), whose commands the library already serves.
    backend.version(new MongoVersion() {
      @Override
      public List<Integer> getVersionArray() {
        return List.of(5, 0, 0);
      }

      @Override
      public int getWireVersion() {
        return 13;
      }
    });
    MongoServer server = new MongoServer(backend);
    server.bind("127.0.0.1", port);
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown));
    System.out.println("mongo-test-server listening on 127.0.0.1:" + port);
    Thread.currentThread().join();
  }
}
