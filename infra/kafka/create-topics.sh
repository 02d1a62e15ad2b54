#!/bin/sh
# Creates every topic of shared/events/topics.json and its dead-letter twin, idempotently.
# Used by the kafka-init services of the compose files (inside the apache/kafka image):
#   sh create-topics.sh <bootstrap-server> <topics.json>
# DRY_RUN=1 only prints "<topic> <partitions>" lines (checked by the repo tests, no Kafka needed).
# The no-Docker stack creates the same topics with the kafkajs admin client (infra/local/kafka.mjs).
set -eu

bootstrap=${1:?usage: create-topics.sh <bootstrap-server> <topics.json>}
file=${2:?usage: create-topics.sh <bootstrap-server> <topics.json>}

# topics.json is small and written one entry per line; plain sed keeps this image-independent (no jq).
partitions=$(sed -n 's/.*"partitions"[[:space:]]*:[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$file")
suffix=$(sed -n 's/.*"deadLetterSuffix"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$file")
topics=$(sed -n '/"topics"[[:space:]]*:[[:space:]]*{/,/}/p' "$file" |
  sed -n 's/^[[:space:]]*"[A-Za-z0-9_]*"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p')
: "${partitions:=3}"

if [ -z "$topics" ] || [ -z "$suffix" ]; then
  echo "create-topics: could not read topics or deadLetterSuffix from $file" >&2
  exit 1
fi

for topic in $topics; do
  for name in "$topic" "$topic$suffix"; do
    if [ "${DRY_RUN:-}" = 1 ]; then
      echo "$name $partitions"
    else
      /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$bootstrap" --create --if-not-exists \
        --topic "$name" --partitions "$partitions" --replication-factor 1
    fi
  done
done
