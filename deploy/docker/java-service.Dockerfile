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
# Each jar is extracted (Spring Boot's advice for deployment): /out/<module>/app.jar with its libraries in lib/,
# loaded by the JDK's class loader instead of the nested-jar one; `java -jar /app/app.jar` runs it the same way.
RUN ./mvnw -B -q -pl local-agent,regional-agent,query-service -am package -DskipTests \
 && java -Djarmode=tools -jar local-agent/target/local-agent.jar extract --destination /out/local-agent \
      --application-filename app.jar \
 && java -Djarmode=tools -jar regional-agent/target/regional-agent.jar extract --destination /out/regional-agent \
      --application-filename app.jar \
 && java -Djarmode=tools -jar query-service/target/query-service.jar extract --destination /out/query-service \
      --application-filename app.jar

# Stage 2: a JRE running the extracted service as an unprivileged user (uid 10001, which owns the data and key
# volumes).
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
COPY --from=build /out/${SERVICE}/ /app/
USER dcs
WORKDIR /var/lib/dcs
ENV DCS_DATA_DIR=/var/lib/dcs \
    DCS_KEY_DIR=/var/lib/dcs-keys
# Arguments after the image name go to the jar: `verify-chain` (local agent), `members add ...` (regional agent),
# `--rebuild` (query service).
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
