"""The open, read-only JSON API at ``/api/``: published data only, as on the public pages."""
