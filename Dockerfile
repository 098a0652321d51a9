# syntax=docker/dockerfile:1
# auditlog: a static binary on a distroless base, running as non-root.
#   docker build -t auditlog .
#   docker run -p 127.0.0.1:8080:8080 -v auditlog-data:/data auditlog          (embedded store in /data)
#   docker run -e AUDITLOG_OPENSEARCH_URL=http://opensearch:9200 -e AUDITLOG_SECRET=... auditlog
# It listens on 0.0.0.0 inside the container, so the playground and schema
# introspection are off (they default to on only on a loopback address);
# for a local try-out, add -e AUDITLOG_PLAYGROUND=true -e AUDITLOG_INTROSPECTION=true.

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first: they change less often than the code.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# Pure Go (the SQLite driver is too), so the binary needs no libc.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
	CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/auditlog ./cmd/auditlog && \
	mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/auditlog /usr/local/bin/auditlog
# The embedded store and its generated secret live here; owned by nonroot (65532).
COPY --from=build --chown=65532:65532 /out/data /data
ENV AUDITLOG_ADDR=0.0.0.0:8080 \
	AUDITLOG_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/auditlog"]
CMD ["serve"]
