#!/usr/bin/env bash
# Restore a backup.sh dump into a NEW, empty database, then print each table's row count.
# Run it as the site's database user (sca), who can read the backups, into a database that
# user owns, so the restored tables belong to it and the site can use and migrate them:
#   runuser -u postgres -- createdb --owner sca sca_briefings_restored
#   runuser -u sca -- deploy/restore.sh /var/backups/sca-briefings/sca-briefings-<stamp>.dump \
#       postgres:///sca_briefings_restored
# The database must exist and be empty: restoring never overwrites live data.
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
if [ "$exists" != "1" ]; then
  echo "Database $name does not exist. Create it owned by the user restoring, e.g." >&2
  echo "  runuser -u postgres -- createdb --owner sca $name" >&2
  exit 1
fi
# Tables belong to whoever restores them; the site needs them to be its own.
owner="$(psql --dbname "$target" -tAc "SELECT pg_get_userbyid(datdba) FROM pg_database
  WHERE datname = current_database()")"
user="$(psql --dbname "$target" -tAc "SELECT current_user")"
if [ "$owner" != "$user" ]; then
  echo "Database $name belongs to $owner, but this connects as $user. Run the restore as" >&2
  echo "$owner (the site's database user), so the restored tables belong to it." >&2
  exit 1
fi
# Anything in the public schema means this is not the new, empty database it should be.
objects="$(psql --dbname "$target" -tAc "SELECT count(*) FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")"
if [ "$objects" != "0" ]; then
  echo "Database $name already exists and is not empty; restore into a new one." >&2
  exit 1
fi

echo "Restoring $dump"
# Without owners in the dump, everything restored belongs to the user connecting: the site's.
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
