"""The agenda wired into the service: bookings in the database (source of truth), CalDAV sync
(embedded Radicale or the practice's server), SMS confirmation, API, dashboard page, bench."""
