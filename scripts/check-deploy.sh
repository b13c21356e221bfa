#!/usr/bin/env bash
# Static checks of the deployment files, offline (no Docker, no cluster): both compose files
# against the compose-spec schema, every k8s/ manifest against its Kubernetes API schema
# (kubernetes-models), and the cross-references between them and the code (probe paths,
# ports, ConfigMap keys, selectors). Needs `npm ci` only. See scripts/lib/check-deploy.ts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec node --import tsx scripts/lib/check-deploy.ts
