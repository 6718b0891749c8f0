package com.cps.dcs.service.grpc;

import com.cps.dcs.service.config.WebExposure;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import com.linecorp.armeria.common.metric.MeterIdPrefixFunction;
import com.linecorp.armeria.common.util.EventLoopGroups;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServerListener;
import com.linecorp.armeria.server.cors.CorsService;
import com.linecorp.armeria.server.cors.CorsServiceBuilder;
import com.linecorp.armeria.server.docs.DocService;
import com.linecorp.armeria.server.file.FileService;
import com.linecorp.armeria.server.file.HttpFile;
import com.linecorp.armeria.server.grpc.GrpcHealthCheckService;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.linecorp.armeria.server.grpc.GrpcServiceBuilder;
import com.linecorp.armeria.server.healthcheck.SettableHealthChecker;
import com.linecorp.armeria.server.metric.MetricCollectingService;
import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Builds the one Armeria server every DCS service runs: on a single port it answers gRPC (HTTP/2), gRPC-Web (binary
 * and text) and JSON, with {@code grpc.health.v1.Health}, server reflection, a browsable API page at {@code /docs},
 * CORS for browser apps, optionally a built web app at {@code /}, and graceful shutdown. Tests build servers with the
 * same function the services use.
 */
public final class DcsGrpcServer {
  private DcsGrpcServer() {}

  public static Builder builder() {
    return new Builder();
  }

  /** Stops a server gracefully, waiting at most {@code timeout}; a server that does not stop by then is left. */
  public static void stop(Server server, Duration timeout) {
    try {
      server.stop().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      org.slf4j.LoggerFactory.getLogger(DcsGrpcServer.class).warn("server on port {} did not stop within {}",
          server.activeLocalPort(), timeout);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("server stop failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The server's settings. */
  public static final class Builder {
    private int port;
    private final List<BindableService> services = new ArrayList<>();
    private final List<ServerInterceptor> interceptors = new ArrayList<>();
    private ServerInterceptor callerChecks;
    private List<String> corsOrigins = List.of();
    private boolean corsAnyOrigin;
    private boolean reflection = true;
    private boolean docs = true;
    private Path staticFiles;
    private BooleanSupplier healthy = () -> true;
    private MeterRegistry meterRegistry;
    private Duration gracefulShutdown = Duration.ofSeconds(2);

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder addService(BindableService service) {
      services.add(service);
      return this;
    }

    public Builder addServerInterceptor(ServerInterceptor interceptor) {
      interceptors.add(interceptor);
      return this;
    }

    /**
     * Checks every caller ({@code com.cps.dcs.service.auth.CallerInterceptor}): it runs after the request size
     * limits and the error mapping, before every other interceptor and the services, so they see the caller.
     */
    public Builder callerChecks(ServerInterceptor callerInterceptor) {
      this.callerChecks = callerInterceptor;
      return this;
    }

    /** The origins that may call from a browser, and whether reflection and {@code /docs} are served. */
    public Builder exposure(WebExposure exposure) {
      this.corsAnyOrigin = exposure.anyOrigin();
      this.corsOrigins = exposure.corsOrigins();
      this.reflection = exposure.reflection();
      this.docs = exposure.docs();
      return this;
    }

    /** Browser apps from any origin may call (gRPC-Web). */
    public Builder corsAllowAllOrigins() {
      corsAnyOrigin = true;
      return this;
    }

    public Builder corsAllowOrigins(String... origins) {
      corsOrigins = List.of(origins);
      return this;
    }

    /** Serves a built single-page web app at {@code /}, with {@code index.html} for client-side routes. */
    public Builder staticFiles(Path dir) {
      this.staticFiles = dir;
      return this;
    }

    /** Drives {@code grpc.health.v1}: SERVING while the supplier says true, NOT_SERVING otherwise. */
    public Builder healthy(BooleanSupplier healthy) {
      this.healthy = healthy;
      return this;
    }

    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = registry;
      return this;
    }

    public Builder gracefulShutdown(Duration quietPeriod) {
      this.gracefulShutdown = quietPeriod;
      return this;
    }

    /** The server, not yet started: {@code start().join()} to serve, {@link DcsGrpcServer#stop} to stop. */
    public Server build() {
      SettableHealthChecker health = new SettableHealthChecker(healthy.getAsBoolean());
      GrpcServiceBuilder grpc = GrpcService.builder()
          .supportedSerializationFormats(GrpcSerializationFormats.values())
          .enableUnframedRequests(true)
          .useBlockingTaskExecutor(true) // service methods do blocking JDBC work
          .maxRequestMessageLength(RequestSizeLimits.TRANSPORT_LIMIT)
          .addService(GrpcHealthCheckService.builder().checkers(health).build());
      if (reflection) {
        // Armeria wires the v1alpha reflection service to the server's own services; grpcurl and Postman use it.
        grpc.addService(ProtoReflectionService.newInstance());
      }
      services.forEach(grpc::addService);
      // The last interceptor runs first: size limits, error mapping, caller checks, then the services' own.
      List<ServerInterceptor> all = new ArrayList<>(interceptors);
      if (callerChecks != null) {
        all.add(callerChecks);
      }
      all.add(new ErrorMappingInterceptor());
      all.add(new RequestSizeLimits(RequestSizeLimits.DEFAULTS));
      grpc.intercept(all);

      GrpcService grpcService = grpc.build();
      ServerBuilder sb = Server.builder()
          .http(port)
          // The server's own event loops, stopped with it: the shared ones may already be shut down by their own
          // JVM shutdown hook when a service stops on SIGTERM, and then stop() would never complete.
          .workerGroup(EventLoopGroups.newEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors())),
              true)
          .gracefulShutdownTimeout(gracefulShutdown, gracefulShutdown.plusSeconds(3))
          .requestTimeout(Duration.ZERO) // streams (subscriptions, sync) stay open as long as the caller wants
          .service(grpcService, cors());
      if (docs) {
        sb.serviceUnder("/docs", DocService.builder().build());
      }
      if (meterRegistry != null) {
        sb.meterRegistry(meterRegistry)
            .decorator(MetricCollectingService.newDecorator(MeterIdPrefixFunction.ofDefault("dcs.rpc")));
      }
      if (staticFiles != null && Files.isDirectory(staticFiles)) {
        HttpService files = FileService.builder(staticFiles).build()
            .orElse(HttpFile.of(staticFiles.resolve("index.html")).asService());
        sb.serviceUnder("/", files);
      }
      // Re-read the health supplier a few times a second; the poller ends with the server.
      ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dcs-health-poller");
        t.setDaemon(true);
        return t;
      });
      poller.scheduleWithFixedDelay(() -> health.setHealthy(healthy.getAsBoolean()), 200, 200, TimeUnit.MILLISECONDS);
      sb.serverListener(ServerListener.builder().whenStopped(s -> poller.shutdownNow()).build());
      return sb.build();
    }

    private java.util.function.Function<? super HttpService, ? extends HttpService> cors() {
      CorsServiceBuilder cors;
      if (corsAnyOrigin) {
        cors = CorsService.builderForAnyOrigin();
      } else if (!corsOrigins.isEmpty()) {
        cors = CorsService.builder(corsOrigins);
      } else {
        return s -> s;
      }
      return cors.allowRequestMethods(HttpMethod.POST, HttpMethod.GET, HttpMethod.OPTIONS)
          .allowRequestHeaders("content-type", "x-grpc-web", "x-user-agent", "grpc-timeout", "authorization",
              "x-dcs-tenant", "connect-protocol-version")
          .exposeHeaders("grpc-status", "grpc-message", "grpc-status-details-bin")
          .maxAge(Duration.ofHours(1))
          .newDecorator();
    }
  }
}
