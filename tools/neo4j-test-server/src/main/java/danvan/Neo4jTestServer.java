package danvan;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.internal.helpers.HostnamePort;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Runs a real, embedded Neo4j Community server with a Bolt connector on
 * 127.0.0.1, for danvan's tests.
 *
 * <pre>
 * java -jar neo4j-test-server.jar [--port N] [--home DIR] [--page-cache SIZE_MB]
 * </pre>
 *
 * <ul>
 *   <li>{@code --port}: Bolt port on 127.0.0.1 (default 7687; 0 picks a free one).</li>
 *   <li>{@code --home}: Neo4j home (data, logs). Kept on exit. Without it a temp
 *       directory is used and deleted on exit.</li>
 *   <li>{@code --page-cache}: page cache size in MiB (default 256).</li>
 * </ul>
 *
 * Auth is enabled: user {@code neo4j}, password from env {@code NEO4J_PASSWORD}
 * (default {@code danvan-test-password}, at least 8 characters).
 *
 * Prints {@code READY bolt://127.0.0.1:PORT} once the database answers queries and
 * the password is set; shuts down cleanly on SIGTERM/SIGINT.
 */
public final class Neo4jTestServer {
    private static final String DEFAULT_PASSWORD = "danvan-test-password";
    private static final int MIN_PASSWORD_LENGTH = 8;

    private Neo4jTestServer() {}

    public static void main(String[] args) throws Exception {
        int port = 7687;
        Path home = null;
        long pageCacheMb = 256;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--port" -> port = Integer.parseInt(value(args, ++i, arg));
                case "--home" -> home = Path.of(value(args, ++i, arg));
                case "--page-cache" -> pageCacheMb = Long.parseLong(value(args, ++i, arg));
                case "-h", "--help" -> {
                    System.out.println("usage: neo4j-test-server [--port N] [--home DIR] [--page-cache MB]");
                    return;
                }
                default -> fail("unknown argument: " + arg);
            }
        }
        if (port < 0 || port > 65535) {
            fail("port out of range: " + port);
        }

        String password = System.getenv().getOrDefault("NEO4J_PASSWORD", DEFAULT_PASSWORD);
        if (password.length() < MIN_PASSWORD_LENGTH) {
            fail("NEO4J_PASSWORD must be at least " + MIN_PASSWORD_LENGTH + " characters");
        }

        boolean deleteHome = home == null;
        if (home == null) {
            home = Files.createTempDirectory("danvan-neo4j-");
        }
        Files.createDirectories(home);
        Path homeDir = home.toAbsolutePath();

        long started = System.nanoTime();
        PrintStream out = System.out;
        Log4jLogProvider userLog = new Log4jLogProvider(out, Level.INFO);

        DatabaseManagementService dbms;
        try {
            dbms = new DatabaseManagementServiceBuilder(homeDir)
                    .setUserLogProvider(userLog)
                    .setConfig(Map.of(
                            // Bolt on loopback only, no TLS (tests talk to 127.0.0.1).
                            BoltConnector.enabled, true,
                            BoltConnector.listen_address, new SocketAddress("127.0.0.1", port),
                            BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port),
                            BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED,
                            GraphDatabaseSettings.default_listen_address, new SocketAddress("127.0.0.1"),
                            // Server-side routing would open a second connector (7688).
                            GraphDatabaseSettings.routing_enabled, false,
                            GraphDatabaseSettings.auth_enabled, true,
                            // Never phone home (the test machines have no internet anyway).
                            GraphDatabaseSettings.udc_enabled, false))
                    .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                    // Throwaway databases: skip preallocating transaction log files.
                    .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                    .setConfig(GraphDatabaseSettings.preallocate_store_files, false)
                    .setConfig(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(5))
                    // Bolt's defaults wait 2 x 5 s for Netty to go quiet on shutdown;
                    // nothing is left to drain in a test server.
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(5))
                    .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                    .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                    .build();
        } catch (Throwable e) {
            System.err.println("FAILED to start Neo4j: " + e);
            e.printStackTrace();
            if (deleteHome) {
                deleteRecursively(homeDir);
            }
            System.exit(1);
            return;
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("STOPPING");
            out.flush();
            try {
                dbms.shutdown();
            } catch (Throwable e) {
                System.err.println("error during shutdown: " + e);
            }
            userLog.close();
            if (deleteHome) {
                deleteRecursively(homeDir);
            }
            out.println("STOPPED");
            out.flush();
            stopped.countDown();
        }, "neo4j-test-server-shutdown"));

        int boltPort;
        try {
            GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
            setPassword(system, password);
            GraphDatabaseService neo4j = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            neo4j.executeTransactionally("RETURN 1");
            HostnamePort bound = ((GraphDatabaseAPI) neo4j).getDependencyResolver()
                    .resolveDependency(ConnectorPortRegister.class)
                    .getLocalAddress(ConnectorType.BOLT);
            boltPort = bound != null ? bound.getPort() : port;
        } catch (Throwable e) {
            System.err.println("FAILED to initialise Neo4j: " + e);
            e.printStackTrace();
            System.exit(1);
            return;
        }

        long millis = (System.nanoTime() - started) / 1_000_000;
        out.println("neo4j home: " + homeDir + " (started in " + millis + " ms)");
        out.println("READY bolt://127.0.0.1:" + boltPort);
        out.flush();

        // Everything runs on Neo4j's own threads; wait here until the shutdown hook ran.
        stopped.await();
    }

    /** Sets the neo4j user's password; on a reused home it may already be set. */
    private static void setPassword(GraphDatabaseService system, String password) {
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        } catch (RuntimeException e) {
            String message = String.valueOf(e.getMessage()).toLowerCase();
            if (!(message.contains("old password and new password cannot be the same"))) {
                throw e;
            }
        }
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            fail("missing value for " + flag);
        }
        return args[i];
    }

    private static void fail(String message) {
        System.err.println("neo4j-test-server: " + message);
        System.exit(2);
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("could not delete " + root + ": " + e);
        }
    }
}
