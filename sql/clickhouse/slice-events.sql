-- The Kubernetes Events of one namespace's objects, one per line, to ingest beside
-- slice-requests.sql's audit events.
SELECT rawJson FROM events WHERE objectNamespace = {namespace:String};
