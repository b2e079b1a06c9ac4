# Build stage: the same Maven build as on a developer machine.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

# Run stage: a JRE, the jar (its manifest carries the add-opens Hazelcast needs) and the configuration.
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /opt/parley parley
WORKDIR /opt/parley
COPY --from=build /src/target/parley.jar ./parley.jar
COPY conf ./conf
# the embedded store's folder (store.path "data"): mount a volume here to keep streams across containers
RUN mkdir data && chown parley data
VOLUME /opt/parley/data
USER parley

# Listen on every interface inside the container; the cluster host must be this container's name or address
# (PARLEY_CLUSTER_HOST), and the members list names the others (PARLEY_CLUSTER_MEMBERS=parley1:5701,...).
ENV PARLEY_HTTP_HOST=0.0.0.0 \
    PARLEY_HTTP_PORT=8080 \
    PARLEY_CLUSTER_PORT=5701 \
    PARLEY_CLUSTER_EVENT_BUS_PORT=5801 \
    JAVA_OPTS="-XX:+UseG1GC -XX:MaxRAMPercentage=75 -Xss256k"

# 8080 clients (HTTP, WebSocket, SockJS, /metrics); 5701 Hazelcast; 5801 Vert.x event bus
EXPOSE 8080 5701 5801

ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/parley/parley.jar \"$@\"", "parley"]
CMD ["run", "--conf", "conf/parley.json"]
