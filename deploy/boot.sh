#!/bin/sh
# Container and systemd entry point: bring the schema up to date, then serve.
# With several app servers, upgrade from one of them first (deploy/README.md): the others
# then find the schema at head and start at once. Two servers migrating at the very same
# moment would make one of them fail and be restarted by systemd / compose, harmlessly:
# Alembic applies a migration in one transaction.
set -e
avis db upgrade
exec gunicorn -c "${AVIS_GUNICORN_CONF:-/opt/avis/app/deploy/gunicorn.conf.py}" 'kiosk:create_app()'
