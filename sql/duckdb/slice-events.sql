-- The Kubernetes Events of one namespace's objects as JSON Lines, to ingest beside
-- slice-requests.sql's audit events.
SELECT rawJson FROM events WHERE objectNamespace = getvariable('namespace');
