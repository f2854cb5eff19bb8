#!/usr/bin/env bash
# Back up the SCA Briefings database (pg_dump, custom format) and uploaded images.
#   DATABASE_URL   the database to dump (postgres://user:pass@host:port/name)
#   BACKUP_DIR     where to write (default /var/backups/sca-briefings)
#   MEDIA_ROOT     uploaded images to archive too (skipped if unset or missing)
#   KEEP_DAYS      delete backups older than this (default 14)
# Prints the path of the database dump on its last line.
set -euo pipefail
# The dumps hold the subscriber list: files and directories for the owner only.
umask 077

: "${DATABASE_URL:?DATABASE_URL is not set}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/sca-briefings}"
KEEP_DAYS="${KEEP_DAYS:-14}"
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
mkdir -p "$BACKUP_DIR"

dump="$BACKUP_DIR/sca-briefings-$stamp.dump"
# Write to a temporary name first, so a failed dump never looks like a good one.
pg_dump --format=custom --no-owner --no-privileges --file "$dump.partial" --dbname "$DATABASE_URL"
mv "$dump.partial" "$dump"

if [ -n "${MEDIA_ROOT:-}" ] && [ -d "$MEDIA_ROOT" ]; then
  tar --create --gzip --file "$BACKUP_DIR/sca-briefings-media-$stamp.tar.gz" \
    --directory "$MEDIA_ROOT" .
fi

find "$BACKUP_DIR" -maxdepth 1 -name 'sca-briefings-*' -mtime +"$KEEP_DAYS" -delete
echo "Backed up the database to:"
echo "$dump"
