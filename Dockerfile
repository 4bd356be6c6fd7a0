# sealstream's image: the runtime jar (app/target/sealstream.jar: no broker, no test kits, no demo) on a Java 25 JRE,
# run as a non-root user.
#   docker build -t sealstream .
#   docker run --rm sealstream --help
# docker-compose.yml builds it and runs the pipeline next to Kafka, the schema registry and MinIO (README: "docker compose").

# --- build: JDK 17, the project's baseline ---
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
# The Maven wrapper, the poms and the Avro schemas first: this layer downloads Maven, the plugins and every
# dependency (the Java modules build empty here), so a code change does not download them again.
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY schemas/pom.xml schemas/
COPY schemas/src/main/avro/ schemas/src/main/avro/
COPY kms-client/pom.xml kms-client/
COPY kms-client/api/pom.xml kms-client/api/
COPY kms-client/stack/pom.xml kms-client/stack/
COPY kms-client/local/pom.xml kms-client/local/
COPY kms-client/pkcs11/pom.xml kms-client/pkcs11/
COPY kms-client/hadoop/pom.xml kms-client/hadoop/
COPY kms-client/aws/pom.xml kms-client/aws/
COPY kms-client/vault/pom.xml kms-client/vault/
COPY kms-client/customer/pom.xml kms-client/customer/
COPY kms-client/testkit/pom.xml kms-client/testkit/
COPY base/pom.xml base/
COPY health/pom.xml health/
COPY envelope/pom.xml envelope/
COPY store/pom.xml store/
COPY serde/pom.xml serde/
COPY audit/pom.xml audit/
COPY devstack/pom.xml devstack/
COPY testing/pom.xml testing/
COPY streams/pom.xml streams/
COPY lifecycle/pom.xml lifecycle/
COPY app/pom.xml app/
COPY dev/pom.xml dev/
COPY benchmarks/pom.xml benchmarks/
RUN chmod +x mvnw \
 && ./mvnw -B -q -pl app -am package -DskipTests \
 && rm -rf */target kms-client/*/target
# The sources: only this part is redone when the code changes.
COPY schemas/ schemas/
COPY kms-client/ kms-client/
COPY base/ base/
COPY health/ health/
COPY envelope/ envelope/
COPY store/ store/
COPY serde/ serde/
COPY audit/ audit/
# test-scope dependencies of app, built (not packaged into the runtime jar) because -am follows them
COPY devstack/ devstack/
COPY testing/ testing/
COPY streams/ streams/
COPY lifecycle/ lifecycle/
COPY app/ app/
RUN ./mvnw -B -pl app -am package -DskipTests

# --- runtime: Java 25 JRE (its AES-GCM is ~1.8x faster than Java 17's) ---
FROM eclipse-temurin:25-jre
RUN groupadd --system --gid 10001 sealstream \
 && useradd --system --uid 10001 --gid sealstream --home-dir /data --no-create-home --shell /usr/sbin/nologin sealstream \
 && mkdir -p /app/bin /app/config /data \
 && chown sealstream:sealstream /data
COPY --from=build /src/app/target/sealstream.jar /app/sealstream.jar
COPY docker/sealstream.properties /app/config/sealstream.properties
COPY docker/ensure-keys /app/bin/ensure-keys
COPY docker/healthcheck /app/bin/healthcheck
RUN chmod 0644 /app/sealstream.jar /app/config/sealstream.properties \
 && chmod 0755 /app/bin/ensure-keys /app/bin/healthcheck
# Key store (/data/keys.p12) and Kafka Streams state (/data/state): keep them across container restarts. The
# passphrase is never in the image: SEALSTREAM_KEYSTORE_PASSWORD_FILE (a secret) or SEALSTREAM_KEYSTORE_PASSWORD.
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
# The operations endpoint (sealstream.ops.port): /metrics for Prometheus, /health/live and /health/ready.
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["/app/bin/healthcheck"]
ENTRYPOINT ["java", "-jar", "/app/sealstream.jar"]
CMD ["run", "--config", "/app/config/sealstream.properties"]
