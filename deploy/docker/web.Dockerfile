# nginx with the built web apps (build context: the repository root).
#   docker build -f deploy/docker/web.Dockerfile -t dcs/web .
# The POS app is built from pos-web/ (its TypeScript client generated from proto/); the admin web app is not built
# yet (admin-web/README.md) and has no stage here.
FROM node:20-bookworm-slim AS pos
WORKDIR /src
COPY proto/src/main/proto proto/src/main/proto
COPY pos-web/package.json pos-web/package-lock.json pos-web/
# npm install (not npm ci), as the Maven build does: see pos-web/pom.xml
RUN cd pos-web && npm install --no-audit --no-fund
COPY pos-web pos-web
RUN cd pos-web && npm run generate && npm run build

FROM nginx:1.27-alpine
COPY --from=pos /src/pos-web/dist /usr/share/nginx/html/pos
# The server blocks (deploy/nginx/default.conf) are mounted by the compose file; this copy makes the image usable alone.
COPY deploy/nginx/default.conf /etc/nginx/conf.d/default.conf
EXPOSE 3000 3010
