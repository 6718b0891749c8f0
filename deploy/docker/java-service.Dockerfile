# One image per DCS Java service, built from this repository (build context: the repository root).
#   docker build -f deploy/docker/java-service.Dockerfile --build-arg SERVICE=regional-agent -t dcs/regional-agent .
# SERVICE: local-agent | regional-agent | query-service (the module whose <module>/target/<module>.jar is run).
#
# Stage 1 builds all three jars with the project's own Maven wrapper; the command is the same for every SERVICE, so
# the layer is built once and reused by the other images.
FROM eclipse-temurin:21-jdk AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -pl local-agent,regional-agent,query-service -am package -DskipTests \
 && mkdir /out \
 && cp local-agent/target/local-agent.jar regional-agent/target/regional-agent.jar \
       query-service/target/query-service.jar /out/

# Stage 2: a JRE running the one fat jar as an unprivileged user (uid 10001, which owns the data and key volumes).
FROM eclipse-temurin:21-jre
ARG SERVICE
# curl: the compose health checks; sqlite3: online backups of a branch's SQLite file (docs/operations.md)
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl sqlite3 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 dcs \
 && useradd --system --uid 10001 --gid dcs --home-dir /var/lib/dcs --shell /usr/sbin/nologin dcs \
 && mkdir -p /app /var/lib/dcs /var/lib/dcs-keys \
 && chown dcs:dcs /var/lib/dcs /var/lib/dcs-keys \
 && chmod 700 /var/lib/dcs-keys
COPY --from=build /out/${SERVICE}.jar /app/app.jar
USER dcs
WORKDIR /var/lib/dcs
ENV DCS_DATA_DIR=/var/lib/dcs \
    DCS_KEY_DIR=/var/lib/dcs-keys
# Arguments after the image name go to the jar: `verify-chain` (local agent), `members add ...` (regional agent),
# `--rebuild` (query service).
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
