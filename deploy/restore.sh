#!/usr/bin/env bash
# Restore a backup.sh dump into a NEW, empty database, then print each table's row count.
#   deploy/restore.sh /var/backups/sca-briefings/sca-briefings-<stamp>.dump \
#       postgres://sca@127.0.0.1:5432/sca_briefings_restored
# The database named in the URL must not exist yet: restoring never overwrites live data.
# Switch the site over afterwards by pointing DATABASE_URL at it (see docs/deploy.md).
set -euo pipefail

dump="${1:?usage: restore.sh DUMP_FILE TARGET_DATABASE_URL}"
target="${2:?usage: restore.sh DUMP_FILE TARGET_DATABASE_URL}"
[ -r "$dump" ] || { echo "Cannot read $dump" >&2; exit 1; }

base="${target%%\?*}"          # without ?options
name="${base##*/}"             # the database name
server="${base%/*}/postgres"   # the same server's maintenance database
[[ "$name" =~ ^[A-Za-z0-9_]+$ ]] || { echo "Unusual database name: $name" >&2; exit 1; }

exists="$(psql --dbname "$server" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")"
if [ "$exists" = "1" ]; then
  echo "Database $name already exists; restore into a new name (or drop it first)." >&2
  exit 1
fi

echo "Creating database $name"
psql --quiet --dbname "$server" -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$name\""
echo "Restoring $dump"
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname "$target" "$dump"

echo "Rows per table in $name:"
psql --dbname "$target" -v ON_ERROR_STOP=1 -tA -F ' ' <<'SQL'
SELECT format('%s %s', c.relname,
       (xpath('/row/n/text()',
              query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname),
                           false, true, '')))[1]::text)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname = 'public'
ORDER BY c.relname;
SQL
